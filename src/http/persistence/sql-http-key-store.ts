import { ConfigurationError, OncebusError } from '../../errors/errors.js';
import type { IUnitOfWorkRecords } from '../../idempotence/unit-of-work.js';
import type { ITransactionalSession } from '../../sessions/transactional-session.js';
import { type HttpKeyRow, type HttpKeyStatements, httpKeyStatementsFor } from './http-key-statements.js';
import type { HttpKeyRecord, IHttpKeyStore, KeyClaim, StoredResponse } from './http-key-store.js';

/**
 * Keys in the `http_keys` table of a SQL store (SQLite, PostgreSQL, SQL Server), through the session's
 * `records`: each statement runs on the transaction of the session it is given, so a completion commits with
 * the route's writes and sends, or not at all.
 */
export class SqlHttpKeyStore implements IHttpKeyStore {
  /** By dialect and table: a store's statements are built once. */
  private readonly statements = new Map<string, HttpKeyStatements>();

  async insert(session: ITransactionalSession, c: KeyClaim): Promise<boolean> {
    const { records, s } = this.on(session);
    try {
      return (await records.execute(s.insert, [c.scope, c.key, c.fingerprint, c.attempt, c.lockedUntil, c.now, c.expiresAt])) === 1;
    } catch (error) {
      // SQL Server: should its key check still meet a duplicate (the statement alone failed), the row exists.
      if (OncebusError.is(error) && error.code === 'ONCEBUS_STORE_DUPLICATE_KEY') return false;
      throw error;
    }
  }

  async find(session: ITransactionalSession, scope: string, key: string): Promise<HttpKeyRecord | undefined> {
    const { records, s } = this.on(session);
    const [row] = await records.query<HttpKeyRow>(s.find, [scope, key]);
    return row ? toRecord(row) : undefined;
  }

  async takeOver(session: ITransactionalSession, c: KeyClaim, previousAttempt: string): Promise<boolean> {
    const { records, s } = this.on(session);
    const params = [c.scope, c.key, c.fingerprint, c.attempt, c.lockedUntil, c.now, c.expiresAt, previousAttempt];
    return (await records.execute(s.takeOver, params)) === 1;
  }

  async complete(session: ITransactionalSession, scope: string, key: string, attempt: string, response: StoredResponse, now: number): Promise<boolean> {
    const { records, s } = this.on(session);
    const params = [scope, key, attempt, response.status, JSON.stringify(response.headers), response.body, now];
    return (await records.execute(s.complete, params)) === 1;
  }

  async free(session: ITransactionalSession, scope: string, key: string, attempt: string): Promise<void> {
    const { records, s } = this.on(session);
    await records.execute(s.free, [scope, key, attempt]);
  }

  private on(session: ITransactionalSession): { records: IUnitOfWorkRecords; s: HttpKeyStatements } {
    const records = session.records;
    if (!records) {
      throw new ConfigurationError('idempotence store', 'HTTP Idempotency-Keys are kept in the endpoint\'s idempotence store, and this one cannot hold them', {
        hint: 'use the SQLite, PostgreSQL or SQL Server store (SqliteStore, PostgresStore, MssqlStore) or MemoryIdempotenceStore',
      });
    }
    const id = `${records.dialect}:${records.table('http_keys')}`;
    let s = this.statements.get(id);
    if (!s) this.statements.set(id, (s = httpKeyStatementsFor(records)));
    return { records, s };
  }
}

/** A row as the add-on works with it; the stored headers are JSON written by `complete`. */
export function toRecord(row: HttpKeyRow): HttpKeyRecord {
  const body = row.response_body;
  return {
    scope: row.scope,
    key: row.key,
    fingerprint: row.fingerprint,
    status: row.status === 'completed' ? 'completed' : 'running',
    attempt: row.attempt,
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
    response:
      row.response_status === null
        ? null
        : {
            status: Number(row.response_status),
            headers: JSON.parse(row.response_headers ?? '{}') as Record<string, string>,
            // The drivers answer Buffers: the same bytes as a plain Uint8Array.
            body: body ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(0),
          },
    createdAt: Number(row.created_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
    expiresAt: Number(row.expires_at),
  };
}
