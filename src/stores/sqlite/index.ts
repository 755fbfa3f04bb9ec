export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { SqliteDatabase, type SqliteOptions } from './sqlite-database.js';
export { SqliteQueue } from './sqlite-queue.js';
export { SqlIdempotenceStore, type SqlIdempotenceOptions } from '../sql/sql-idempotence-store.js';
export type { RetentionOptions } from '../sql/retention.js';
/**
 * What `ctx.transaction` is in a handler of an idempotent endpoint on this store: better-sqlite3's
 * `Database`, inside the unit of work's transaction (`IMessageHandler<PlaceOrder, SqliteTransaction>`).
 */
export type { Database as SqliteTransaction } from 'better-sqlite3';
export type { SqlDatabase, SqlTransaction } from '../sql/sql-database.js';
export type { SqlStore } from '../sql/sql-store.js';
export type { SqlSubscriptionService } from '../sql/sql-subscription-service.js';
export type { SqlIdempotenceService } from '../sql/sql-idempotence-service.js';
export type { GroupCommitStatements, IdempotenceStatements, QueueStatements, SubscriptionStatements } from '../sql/sql-statements.js';
export type { SqlDialect } from '../sql/sql-store.js';
export type { SqlIdempotenceSettings } from '../sql/sql-idempotence-service.js';
export type { SqlUnitOfWork } from '../sql/sql-unit-of-work.js';
export type { HandleLease } from '../sql/handle-lease.js';
export type { Migration } from '../sql/migrations.js';
