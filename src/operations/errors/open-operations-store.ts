import { ConfigurationError } from '../../errors/errors.js';
import { FailedMessageStore } from './failed-message-store.js';

/** The operations store an operator names: `sqlite:<file>` (created when missing) or `postgres://…` with a schema. */
export async function openOperationsStore(url: string, options: { readonly schema?: string } = {}): Promise<{ store: FailedMessageStore; where: string; close(): Promise<void> }> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresDatabase } = await import('../../stores/postgres/postgres-database.js');
    const { maskConnectionString } = await import('../../stores/postgres/index.js');
    const database = new PostgresDatabase({ connectionString: url, connectTimeoutMs: 5000 });
    const schema = options.schema ?? 'oncebus_ops';
    return { store: new FailedMessageStore(database, schema), where: `${maskConnectionString(url)} (schema ${schema})`, close: () => database.close() };
  }
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : /\.(db|sqlite3?)$/.test(url) ? url : null;
  if (file === null || file === '') {
    throw new ConfigurationError('--store', `'${url}' is not a store URL`, { hint: 'give sqlite:<file> or postgres://user:password@host/database (or set ONCEBUS_OPS_STORE)' });
  }
  const { SqliteDatabase } = await import('../../stores/sqlite/sqlite-database.js');
  const database = new SqliteDatabase({ file });
  return { store: new FailedMessageStore(database), where: `sqlite:${file}`, close: () => database.close() };
}
