import type { DrizzleConfig } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import { requireDriver } from '../drivers/require-driver.js';
import type { PostgresTransaction } from '../stores/postgres/index.js';
import type { SqliteTransaction } from '../stores/sqlite/index.js';

/** A Drizzle schema: your tables (and relations) by name, for `db.query`. */
export type DrizzleSchema = Record<string, unknown>;

/**
 * Drizzle over a handler's `ctx.transaction` or a session's `session.transaction` on PostgreSQL: every
 * query it runs is a statement of that transaction — it commits with the message's idempotence row and
 * stored sends (with group commit, inside the handler's savepoint), or rolls back with them. Call it where
 * you use it (it is cheap); the transaction is oncebus's: `db.transaction()` inside is refused.
 */
export function drizzleOnPostgres<TSchema extends DrizzleSchema = Record<string, never>>(transaction: PostgresTransaction, config: DrizzleConfig<TSchema> = {}): NodePgDatabase<TSchema> {
  const { drizzle } = requireDriver<typeof import('drizzle-orm/node-postgres')>('drizzle-orm/node-postgres', 'oncebus/drizzle');
  // The transaction's client stands where drizzle takes a pool or client: it only ever calls query().
  return drizzle({ ...config, client: transaction as unknown as Pool });
}

/** Drizzle over a SQLite transaction (`ctx.transaction`, `session.transaction`): see drizzleOnPostgres. */
export function drizzleOnSqlite<TSchema extends DrizzleSchema = Record<string, never>>(transaction: SqliteTransaction, config: DrizzleConfig<TSchema> = {}): BetterSQLite3Database<TSchema> {
  const { drizzle } = requireDriver<typeof import('drizzle-orm/better-sqlite3')>('drizzle-orm/better-sqlite3', 'oncebus/drizzle');
  return drizzle({ ...config, client: transaction });
}
