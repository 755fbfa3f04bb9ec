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

/**
 * SQL Server's resource governance refusing work (10928: the database's worker or session limit was
 * reached; 10929: the server is too busy to grant the minimum guarantee), PostgreSQL's 53300 counterpart.
 * They surface on a statement (mssql's RequestError) while other sessions hold the resource; they are not
 * the message's fault, and counting them poisoned messages under load. A login refused for the same reason
 * is a ConnectionError, which already counts.
 */
const RESOURCE_NUMBERS = new Set([10928, 10929]);

/** Whether an mssql error is the connection failing, or the server out of sessions or workers, not the statement. */
export function isMssqlConnectionFailure(error: unknown): boolean {
  const { code, name, number } = (error ?? {}) as { code?: unknown; name?: unknown; number?: unknown };
  const info = (error as { originalError?: { info?: { number?: unknown } } } | null)?.originalError?.info?.number;
  if (RESOURCE_NUMBERS.has(number as number) || RESOURCE_NUMBERS.has(info as number)) return true;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || name === 'ConnectionError';
}
