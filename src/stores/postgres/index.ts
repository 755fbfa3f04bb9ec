export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { PostgresDatabase, type PostgresConnectionOptions } from './postgres-database.js';
export { maskConnectionString } from '../sql/mask-connection-string.js';
export { RowLockingQueue } from '../sql/row-locking-queue.js';
export { SqlIdempotenceStore, type SqlIdempotenceOptions } from '../sql/sql-idempotence-store.js';
export type { GroupCommitOptions } from '../sql/group-commit/group-commit-options.js';
export type { RetentionOptions } from '../sql/retention.js';
/**
 * What `ctx.transaction` is in a handler of an idempotent endpoint on this store: the pg `PoolClient` of
 * the unit of work's transaction (`IMessageHandler<PlaceOrder, PostgresTransaction>`).
 */
export type { PoolClient as PostgresTransaction } from 'pg';
export type { SqlDatabase, SqlTransaction } from '../sql/sql-database.js';
export type { SqlStore } from '../sql/sql-store.js';
export type { SqlSubscriptionService } from '../sql/sql-subscription-service.js';
export type { SqlIdempotenceService } from '../sql/sql-idempotence-service.js';
export type { ConnectionBudget } from '../sql/connection-budget.js';
export type { RowLockingQueueStatements } from '../sql/row-locking-queue.js';
export type { GroupCommitStatements, IdempotenceStatements, QueueStatements, SubscriptionStatements } from '../sql/sql-statements.js';
export type { SqlDialect } from '../sql/sql-store.js';
export type { SqlIdempotenceSettings } from '../sql/sql-idempotence-service.js';
export type { SqlUnitOfWork } from '../sql/sql-unit-of-work.js';
export type { HandleLease } from '../sql/handle-lease.js';
export type { Migration } from '../sql/migrations.js';
