export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { SqliteDatabase, type SqliteOptions } from './sqlite-database.js';
export type { WriteTurnOptions } from './write-turn-options.js';
export { SqliteQueue } from './sqlite-queue.js';
export { SqlIdempotenceStore, type SqlIdempotenceOptions } from '../sql/sql-idempotence-store.js';
export type { RetentionOptions } from '../sql/retention.js';
/**
 * What `ctx.transaction` is in a handler of an idempotent endpoint on this store: better-sqlite3's
 * `Database`, inside the unit of work's transaction (`IMessageHandler<PlaceOrder, SqliteTransaction>`).
 */
export type { Database as SqliteTransaction } from 'better-sqlite3';
export type * from '../sql/sql-types.js';
