import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { sqlIdentifier } from '../../stores/sql/operations.js';
import { FailedMessageStore } from '../errors/failed-message-store.js';
import type { OpenedStore, OpenOptions, SchemeOpener } from './opened.js';

const CONNECT_TIMEOUT_MS = 5000;

/** The schema to use, checked before it reaches a statement (it cannot be a parameter). */
const schemaOf = (options: OpenOptions, fallback: string): string => sqlIdentifier(options.schema ?? fallback, options.schemaSetting ?? '--schema');

/** A table prefix is SQLite's (no schemas there); PostgreSQL and SQL Server take --schema. */
export function refuseTablePrefix(prefix: string | undefined): void {
  if (prefix !== undefined) throw new ConfigurationError('--table-prefix', 'a table prefix is for SQLite stores', { hint: 'give --schema <name> for PostgreSQL and SQL Server' });
}

/** An endpoints' PostgreSQL store, read-only: never create a schema where an operator mistyped one. */
async function openPostgresStore(url: string, options: OpenOptions): Promise<OpenedStore> {
  const schema = schemaOf(options, 'oncebus');
  const { PostgresStore } = await import('../../stores/postgres/index.js');
  const store = new PostgresStore({ connectionString: url, schema, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  const where = `${maskSecrets(url)} (schema ${store.schema})`;
  try {
    const found = await store.database.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'idempotence'", [store.schema]);
    if (found.length === 0) throw new ConfigurationError(options.schemaSetting ?? '--schema', `no oncebus idempotence table in ${where}`, { hint: 'name the schema your endpoints use' });
  } catch (error) {
    await store.close();
    throw error;
  }
  return { store: store.store, queues: store.queues, subscriptions: store.subscriptions, where, close: () => store.close() };
}

/** PostgreSQL databases: an endpoints' store (and its queues, as a transport; or to migrate) or an operations store. */
export const postgresOpener: SchemeOpener = {
  schemes: ['postgres', 'postgresql'],
  form: 'postgres://user:password@host[:port]/database',
  store: openPostgresStore,
  async migrationStore(url, options) {
    refuseTablePrefix(options.tablePrefix);
    const schema = schemaOf(options, 'oncebus');
    const { PostgresStore } = await import('../../stores/postgres/index.js');
    const store = new PostgresStore({ connectionString: url, schema, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    return { store: store.store, queues: store.queues, subscriptions: store.subscriptions, where: `${maskSecrets(url)} (schema ${store.schema})`, close: () => store.close() };
  },
  async operationsStore(url, options) {
    const schema = schemaOf(options, 'oncebus_ops');
    const { PostgresDatabase } = await import('../../stores/postgres/index.js');
    const database = new PostgresDatabase({ connectionString: url, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    return { store: new FailedMessageStore(database, schema), where: `${maskSecrets(url)} (schema ${schema})`, close: () => database.close() };
  },
  async transport(urls, options) {
    if (urls.length > 1) {
      throw new ConfigurationError('--transport', `two PostgreSQL databases given (${urls.map((u) => maskSecrets(u)).join(', ')}): their queues would have the same URIs`, {
        hint: 'give one --transport postgres://…',
      });
    }
    const opened = await openPostgresStore(urls[0]!, options);
    return { factories: [opened.queues], trusted: [], where: [opened.where], close: () => opened.close() };
  },
};
