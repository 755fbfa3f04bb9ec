export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { PostgresDatabase, maskConnectionString, type PostgresConnectionOptions } from './postgres-database.js';
export { RowLockingQueue } from '../sql/row-locking-queue.js';
export { SqlIdempotenceStore } from '../sql/sql-idempotence-store.js';
export type { RetentionOptions } from '../sql/retention.js';
