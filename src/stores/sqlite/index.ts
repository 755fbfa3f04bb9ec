export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { SqliteDatabase, type SqliteOptions } from './sqlite-database.js';
export { SqliteQueue } from './sqlite-queue.js';
export { SqlIdempotenceStore, type SqlIdempotenceOptions } from '../sql/sql-idempotence-store.js';
export type { RetentionOptions } from '../sql/retention.js';
