import { StoreError } from '../../errors/errors.js';
import type { SqlStore } from '../../stores/sql/operations.js';

// The HTTP Idempotency-Keys of an endpoints' SQL store, read straight from its `http_keys` table (outside any
// unit of work: an operator looks, the routes go on) for `npx oncebus http-keys` and the dashboard. The
// columns hold what clients and routes sent: the reads here bound what they fetch, the views (http-key-view.ts)
// mask and bound what they show.

/** A key as listed: its row without the stored response's headers and body (`bodyBytes` says how large that is). */
export interface HttpKeyListed {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly status: 'running' | 'completed';
  /** The attempt (a uuid) holding the key while running, or whose response completed it. */
  readonly attempt: string;
  /** Epoch ms; while running, until when its attempt holds it (null once completed). */
  readonly lockedUntil: number | null;
  readonly responseStatus: number | null;
  readonly bodyBytes: number;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly expiresAt: number;
}

/** A key with its stored response: the headers' JSON and the body, each null when absent or larger than was asked to be read. */
export interface HttpKeyFound extends HttpKeyListed {
  readonly headersJson: string | null;
  readonly headersChars: number;
  readonly body: Uint8Array | null;
}

export interface HttpKeyListQuery {
  /** Only keys created before this (epoch ms): `--older-than`. */
  readonly createdBefore?: number;
  readonly status?: 'running' | 'completed';
  /** Only this stored scope (or these: a principal and its hashed form). */
  readonly scopes?: readonly string[];
  /** At most this many, the newest first. */
  readonly limit: number;
}

export interface HttpKeyList {
  readonly keys: readonly HttpKeyListed[];
  /** More keys match than were listed (counting them all would scan a large table on every poll). */
  readonly more: boolean;
}

/** What one dialect's SQL needs besides the table: its placeholders, the key column's name, a byte length, a row limit. */
interface Sql {
  readonly table: string;
  readonly param: (n: number) => string;
  readonly key: string;
  readonly bytes: (column: string) => string;
  readonly chars: (column: string) => string;
  readonly top: (n: number) => string;
  readonly limit: (n: number) => string;
}

function sqlOf(store: SqlStore): Sql {
  const table = store.dialect.recordTables?.http_keys;
  if (table === undefined) throw new StoreError(`${store.dialect.location} keeps no HTTP Idempotency-Keys`);
  const dialect = store.database.dialect;
  if (dialect === 'mssql') {
    // KEY is reserved in T-SQL; no LIMIT, TOP instead.
    return { table, param: (n) => `@p${n}`, key: '[key]', bytes: (c) => `datalength(${c})`, chars: (c) => `len(${c})`, top: (n) => `TOP (${n}) `, limit: () => '' };
  }
  const bytes = dialect === 'postgres' ? (c: string) => `octet_length(${c})` : (c: string) => `length(${c})`;
  return { table, param: (n) => `$${n}`, key: 'key', bytes, chars: (c) => `length(${c})`, top: () => '', limit: (n) => ` LIMIT ${n}` };
}

/**
 * Runs `read` on the http_keys table; a table that is not there (a schema not migrated since keys came) is a
 * StoreError saying how to add it, rather than the driver's "no such table".
 */
async function onKeyTable<T>(store: SqlStore, read: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = sqlOf(store);
  try {
    return await read(sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/no such table|does not exist|invalid object name/i.test(message)) throw error;
    throw new StoreError(`${store.dialect.location} has no http_keys table: its schema predates HTTP Idempotency-Keys`, { hint: `migrate it: ${store.dialect.migrateCommand}`, cause: error });
  }
}

const columns = (s: Sql): string =>
  `scope, ${s.key} AS key_, fingerprint, status, attempt, locked_until, response_status, created_at, completed_at, expires_at, coalesce(${s.bytes('response_body')}, 0) AS body_bytes`;

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function listedOf(r: Record<string, unknown>): HttpKeyListed {
  return {
    scope: String(r.scope),
    key: String(r.key_),
    fingerprint: String(r.fingerprint),
    status: r.status === 'completed' ? 'completed' : 'running',
    attempt: String(r.attempt),
    lockedUntil: numOrNull(r.locked_until),
    responseStatus: numOrNull(r.response_status),
    bodyBytes: num(r.body_bytes),
    createdAt: num(r.created_at),
    completedAt: numOrNull(r.completed_at),
    expiresAt: num(r.expires_at),
  };
}

/** Keys the newest first (the order of the created_at index), filtered; `more` when others match too. */
export async function listHttpKeys(store: SqlStore, query: HttpKeyListQuery): Promise<HttpKeyList> {
  const limit = Math.max(1, Math.floor(query.limit));
  return onKeyTable(store, async (s) => {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (value: unknown): string => {
      params.push(value);
      return s.param(params.length);
    };
    if (query.createdBefore !== undefined) where.push(`created_at < ${add(query.createdBefore)}`);
    if (query.status !== undefined) where.push(`status = ${add(query.status)}`);
    if (query.scopes !== undefined) where.push(`scope IN (${query.scopes.map(add).join(', ')})`);
    const filter = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
    // One more than asked: whether there are more, without counting the table.
    const rows = await store.database.query<Record<string, unknown>>(
      `SELECT ${s.top(limit + 1)}${columns(s)} FROM ${s.table}${filter} ORDER BY created_at DESC, scope, ${s.key}${s.limit(limit + 1)}`,
      params,
    );
    return { keys: rows.slice(0, limit).map(listedOf), more: rows.length > limit };
  });
}

export interface HttpKeyFindOptions {
  /** Only in these stored scopes; every scope when absent (that lookup scans the table: the key is the primary key's second column). */
  readonly scopes?: readonly string[];
  /** A body larger than this is not read (its size is shown instead). */
  readonly maxBodyBytes: number;
  /** Headers' JSON longer than this is not read. */
  readonly maxHeadersChars: number;
  /** At most this many rows (one per scope). */
  readonly limit: number;
}

/** The rows of `key` (one per scope it is used in), each with its stored response when small enough to read. */
export async function findHttpKeys(store: SqlStore, key: string, options: HttpKeyFindOptions): Promise<HttpKeyFound[]> {
  return onKeyTable(store, async (s) => {
    const params: unknown[] = [key, options.maxBodyBytes, options.maxHeadersChars, ...(options.scopes ?? [])];
    const scopes = options.scopes === undefined ? '' : ` AND scope IN (${options.scopes.map((_, i) => s.param(4 + i)).join(', ')})`;
    const limit = Math.max(1, Math.floor(options.limit));
    const rows = await store.database.query<Record<string, unknown>>(
      `SELECT ${s.top(limit)}${columns(s)}, coalesce(${s.chars('response_headers')}, 0) AS headers_chars,
         CASE WHEN ${s.chars('response_headers')} <= ${s.param(3)} THEN response_headers END AS headers_json,
         CASE WHEN ${s.bytes('response_body')} <= ${s.param(2)} THEN response_body END AS body
       FROM ${s.table} WHERE ${s.key} = ${s.param(1)}${scopes} ORDER BY scope${s.limit(limit)}`,
      params,
    );
    return rows.map((r) => ({
      ...listedOf(r),
      headersChars: num(r.headers_chars),
      headersJson: typeof r.headers_json === 'string' ? r.headers_json : null,
      body: r.body instanceof Uint8Array ? r.body : null,
    }));
  });
}
