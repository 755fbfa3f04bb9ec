import type { IUnitOfWorkRecords } from '../../idempotence/unit-of-work.js';

/**
 * The statements on the http_keys table (IUnitOfWorkRecords.table('http_keys')). Parameters, in order, are
 * the same in every dialect:
 * - insert (scope, key, fingerprint, attempt, lockedUntil, now, expiresAt): 0 rows, never a failure, when
 *   (scope, key) exists
 * - find (scope, key) → rows of HttpKeyRow
 * - takeOver (scope, key, fingerprint, attempt, lockedUntil, now, expiresAt, previousAttempt)
 * - complete (scope, key, attempt, responseStatus, responseHeaders, responseBody, completedAt)
 * - free (scope, key, attempt)
 */
export interface HttpKeyStatements {
  readonly insert: string;
  readonly find: string;
  readonly takeOver: string;
  readonly complete: string;
  readonly free: string;
}

/** A row as the drivers return it: bigint columns come back as strings from pg and tedious. */
export interface HttpKeyRow {
  scope: string;
  key: string;
  fingerprint: string;
  status: string;
  attempt: string;
  locked_until: number | string | null;
  response_status: number | string | null;
  response_headers: string | null;
  response_body: Uint8Array | null;
  created_at: number | string;
  completed_at: number | string | null;
  expires_at: number | string;
}

/**
 * PostgreSQL and SQLite. On PostgreSQL the insert's ON CONFLICT waits for a racing uncommitted insert of the
 * same key, then touches nothing; takeOver and complete lock the row, so a take-over racing the holder's
 * completion waits for it and then finds the row completed (0 rows), and a completion after a take-over
 * finds another attempt (0 rows). SQLite has one writer at a time.
 */
function dollarStatements(t: string): HttpKeyStatements {
  return {
    insert: `INSERT INTO ${t} (scope, key, fingerprint, status, attempt, locked_until, created_at, expires_at)
             VALUES ($1, $2, $3, 'running', $4, $5, $6, $7) ON CONFLICT (scope, key) DO NOTHING`,
    find: `SELECT ${COLUMNS} FROM ${t} WHERE scope = $1 AND key = $2`,
    ...writes(t, '$', 'key'),
  };
}

export const postgresHttpKeyStatements = dollarStatements;
export const sqliteHttpKeyStatements = dollarStatements;

/**
 * SQL Server. KEY is a reserved word ([key]). The insert checks first, in the same statement, under UPDLOCK +
 * HOLDLOCK, so a racing insert of the same key waits for this transaction and then inserts nothing (0 rows)
 * instead of failing on the primary key (with XACT_ABORT on, that error would doom the transaction).
 */
export function mssqlHttpKeyStatements(t: string): HttpKeyStatements {
  return {
    insert: `INSERT INTO ${t} (scope, [key], fingerprint, status, attempt, locked_until, created_at, expires_at)
             SELECT @p1, @p2, @p3, 'running', @p4, @p5, @p6, @p7
             WHERE NOT EXISTS (SELECT 1 FROM ${t} WITH (UPDLOCK, HOLDLOCK) WHERE scope = @p1 AND [key] = @p2)`,
    find: `SELECT ${COLUMNS.replace(/\bkey\b/, '[key]')} FROM ${t} WHERE scope = @p1 AND [key] = @p2`,
    ...writes(t, '@p', '[key]'),
  };
}

const COLUMNS =
  'scope, key, fingerprint, status, attempt, locked_until, response_status, response_headers, response_body, created_at, completed_at, expires_at';

function writes(t: string, p: '$' | '@p', key: 'key' | '[key]'): Pick<HttpKeyStatements, 'takeOver' | 'complete' | 'free'> {
  return {
    takeOver: `UPDATE ${t} SET fingerprint = ${p}3, status = 'running', attempt = ${p}4, locked_until = ${p}5, created_at = ${p}6,
                 expires_at = ${p}7, response_status = NULL, response_headers = NULL, response_body = NULL, completed_at = NULL
               WHERE scope = ${p}1 AND ${key} = ${p}2 AND attempt = ${p}8
                 AND ((status = 'running' AND locked_until < ${p}6) OR expires_at <= ${p}6)`,
    complete: `UPDATE ${t} SET status = 'completed', response_status = ${p}4, response_headers = ${p}5, response_body = ${p}6,
                 completed_at = ${p}7, locked_until = NULL
               WHERE scope = ${p}1 AND ${key} = ${p}2 AND attempt = ${p}3 AND status = 'running'`,
    free: `DELETE FROM ${t} WHERE scope = ${p}1 AND ${key} = ${p}2 AND attempt = ${p}3 AND status = 'running'`,
  };
}

/** The statements for the records' dialect, on its http_keys table. */
export function httpKeyStatementsFor(records: IUnitOfWorkRecords): HttpKeyStatements {
  const table = records.table('http_keys');
  switch (records.dialect) {
    case 'postgres':
      return postgresHttpKeyStatements(table);
    case 'sqlite':
      return sqliteHttpKeyStatements(table);
    case 'mssql':
      return mssqlHttpKeyStatements(table);
  }
}
