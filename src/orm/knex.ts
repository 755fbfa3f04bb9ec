import type { Knex } from 'knex';
import type { PostgresTransaction } from '../stores/postgres/index.js';
import type { SqliteTransaction } from '../stores/sqlite/index.js';

/** Knex's builders, each running on one transaction's connection (see knexOn). */
export interface KnexOnTransaction {
  /** `knex(table)`, on the transaction. */
  <TRecord extends object = Record<string, unknown>, TResult = unknown[]>(table: string): Knex.QueryBuilder<TRecord, TResult>;
  /** `knex.raw(sql, bindings)`, on the transaction. */
  raw<TResult = unknown>(sql: string, bindings?: readonly Knex.RawBinding[] | Knex.ValueDict): Knex.Raw<TResult>;
}

/**
 * Your Knex instance's query builders over a handler's `ctx.transaction` or a session's
 * `session.transaction` (PostgreSQL with Knex's 'pg' client, SQLite with 'better-sqlite3'): each query runs
 * on that transaction's connection — committing with the message's idempotence row and stored sends (with
 * group commit, inside the handler's savepoint), or rolling back with them — instead of one from Knex's
 * pool. The transaction is oncebus's: `knex.transaction()` and transaction control are refused there.
 */
export function knexOn(knex: Knex, transaction: PostgresTransaction | SqliteTransaction): KnexOnTransaction {
  // Knex's documented way to run a builder outside its pool: `.connection(driverConnection)`.
  const on = <TRecord extends object, TResult>(table: string) => knex<TRecord, TResult>(table).connection(transaction);
  return Object.assign(on, {
    raw: <TResult>(sql: string, bindings?: readonly Knex.RawBinding[] | Knex.ValueDict) =>
      (bindings === undefined ? knex.raw<TResult>(sql) : knex.raw<TResult>(sql, bindings as Knex.RawBinding[] | Knex.ValueDict)).connection(transaction),
  }) as KnexOnTransaction;
}
