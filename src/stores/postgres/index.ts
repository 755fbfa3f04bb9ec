export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { PostgresDatabase, type PostgresConnectionOptions } from './postgres-database.js';
/** The password-masking every oncebus error and log uses (its former name here). */
export { maskSecrets as maskConnectionString } from '../../secrets/mask-secrets.js';
export { RowLockingQueue } from '../sql/row-locking-queue.js';
export type { QueueWakeUps } from '../sql/sql-queue-base.js';
export { SqlIdempotenceStore, type SqlIdempotenceOptions } from '../sql/sql-idempotence-store.js';
export type { GroupCommitOptions } from '../sql/group-commit/group-commit-options.js';
export type { RetentionOptions } from '../sql/retention.js';
/**
 * What `ctx.transaction` is in a handler of an idempotent endpoint on this store: the pg `PoolClient` of
 * the unit of work's transaction (`IMessageHandler<PlaceOrder, PostgresTransaction>`).
 */
export type { PoolClient as PostgresTransaction } from 'pg';
export type * from '../sql/sql-types.js';
