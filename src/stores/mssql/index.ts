export { MssqlStore, type MssqlStoreOptions } from './mssql-store.js';
export { MssqlDatabase, type MssqlConnectionOptions } from './mssql-database.js';
export { DeadlockError, DuplicateKeyError, MssqlStoreError, mapMssqlError } from './mssql-errors.js';
export { mssqlType, bindParameters } from './mssql-parameters.js';
export { SqlIdempotenceStore, type SqlIdempotenceOptions } from '../sql/sql-idempotence-store.js';
/**
 * What `ctx.transaction` is in a handler of an idempotent endpoint on this store: the mssql `Transaction`
 * of the unit of work (`IMessageHandler<PlaceOrder, MssqlTransaction>`; `new sql.Request(ctx.transaction)`).
 */
export type { Transaction as MssqlTransaction } from 'mssql';
export type * from '../sql/sql-types.js';
