import { OncebusError } from '../../errors/oncebus-error.js';

/** A unique key was violated (SQL Server errors 2627, 2601): for the claim, "another copy got there first". */
export class DuplicateKeyError extends OncebusError {
  constructor(message: string, cause: unknown) {
    super('ONCEBUS_STORE_DUPLICATE_KEY', message, { cause });
  }
}

/**
 * This transaction was chosen as a deadlock victim (SQL Server error 1205) and rolled back entirely. The
 * message is released and redelivered; the unit of work runs again from the start.
 */
export class DeadlockError extends OncebusError {
  constructor(message: string, cause: unknown) {
    super('ONCEBUS_STORE_DEADLOCK', message, { cause, hint: 'transient: the message is released and retried' });
  }
}

/** Any other SQL Server failure (connection, timeout, syntax). */
export class MssqlStoreError extends OncebusError {
  constructor(message: string, cause: unknown) {
    super('ONCEBUS_STORE', message, { cause, hint: 'check that SQL Server is reachable; the bus releases messages and retries by itself' });
  }
}

/** Maps a driver error by its SQL Server error number; `where` names the (masked) connection. */
export function mapMssqlError(error: unknown, where: string): OncebusError {
  if (OncebusError.is(error)) return error;
  const number = (error as { number?: number }).number ?? (error as { originalError?: { info?: { number?: number } } }).originalError?.info?.number;
  const text = `SQL Server (${where}): ${(error as Error)?.message ?? String(error)}${number ? ` [${number}]` : ''}`;
  if (number === 2627 || number === 2601) return new DuplicateKeyError(text, error);
  if (number === 1205) return new DeadlockError(text, error);
  return new MssqlStoreError(text, error);
}

/** tedious's codes for a connection that broke or closed under a request (not a statement's own failure). */
const CONNECTION_CODES = new Set(['ESOCKET', 'ECONNCLOSED', 'ECONNRESET', 'ENOTOPEN']);

/** Whether an mssql error is the connection failing, not the statement. */
export function isMssqlConnectionFailure(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || name === 'ConnectionError';
}
