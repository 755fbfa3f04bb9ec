import { existsSync } from 'node:fs';
import { ConfigurationError } from '../errors/errors.js';
import type { SqlStore } from '../stores/sql/sql-store.js';
import type { IQueueFactory } from '../transport/queue.js';

/** A store the operations tools opened, with its close. */
export interface OpenedStore {
  readonly store: SqlStore;
  /** Its queues (sqlite:// or postgres:// URIs of this database). */
  readonly queues: IQueueFactory;
  /** Where it is, without credentials (for output). */
  readonly where: string;
  close(): Promise<void>;
}

/**
 * Opens the SQL store an endpoint uses, from the URL an operator gives: `sqlite:<file>` (or a path ending in
 * .db / .sqlite) or `postgres://user:password@host:port/database` with its `schema`. The store's entry is
 * loaded only for its kind, so a SQLite user needs no `pg`.
 */
export async function openStore(url: string, options: { readonly schema?: string } = {}): Promise<OpenedStore> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore, maskConnectionString } = await import('../stores/postgres/index.js');
    const store = new PostgresStore({ connectionString: url, schema: options.schema ?? 'oncebus', connectTimeoutMs: 5000 });
    const where = `${maskConnectionString(url)} (schema ${store.schema})`;
    // Read-only: never create a schema where an operator mistyped one.
    const found = await store.database.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'idempotence'", [store.schema]).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    if (found.length === 0) {
      await store.close();
      throw new ConfigurationError('--schema', `no oncebus idempotence table in ${where}`, { hint: 'name the schema your endpoints use with --schema' });
    }
    return { store: store.store, queues: store.queues, where, close: () => store.close() };
  }
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : /\.(db|sqlite3?)$/.test(url) ? url : null;
  if (file === null || file === '') {
    throw new ConfigurationError('--store', `'${url}' is not a store URL`, { hint: 'give sqlite:<file> or postgres://user:password@host/database (or set ONCEBUS_STORE)' });
  }
  // Read-only: opening a missing file would create an empty database.
  if (!existsSync(file)) throw new ConfigurationError('--store', `no such SQLite file: ${file}`, { hint: 'give the file your endpoints use (sqlite:<file>)' });
  const { SqliteStore } = await import('../stores/sqlite/index.js');
  const store = new SqliteStore({ file });
  return { store: store.store, queues: store.queues, where: `sqlite:${file}`, close: () => store.close() };
}
