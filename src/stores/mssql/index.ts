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
export type { SqlDatabase, SqlTransaction } from '../sql/sql-database.js';
export type { SqlStore } from '../sql/sql-store.js';
export type { SqlSubscriptionService } from '../sql/sql-subscription-service.js';
export type { SqlIdempotenceService } from '../sql/sql-idempotence-service.js';
export type { ConnectionBudget } from '../sql/connection-budget.js';
export type { SqlDialect } from '../sql/sql-store.js';
export type { SqlIdempotenceSettings } from '../sql/sql-idempotence-service.js';
export type { SqlUnitOfWork } from '../sql/sql-unit-of-work.js';
export type { HandleLease } from '../sql/handle-lease.js';
export type { GroupCommitStatements, IdempotenceStatements, QueueStatements, SubscriptionStatements } from '../sql/sql-statements.js';
export type { Migration } from '../sql/migrations.js';
