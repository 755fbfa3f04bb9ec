import { StoreError, TransactionAbortedError } from '../../errors/errors.js';
import type { ConnectionBudget } from './connection-budget.js';
import type { HandleLease } from './handle-lease.js';

/**
 * The seam between the SQL stores and a driver. A dialect supplies a SqlDatabase and its named
 * statements (SqlStatements); everything else (idempotence, subscriptions, queues, retention,
 * migrations) is written once against these interfaces. Every value is a parameter; identifiers are
 * validated before they are spliced into statement text (sql-identifiers.ts).
 */
export interface SqlExecutor {
  /** Rows of a statement that returns some. */
  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A statement run for its effect; resolves to the number of rows it touched. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlTransaction extends SqlExecutor {
  /** The driver's own handle (a pg PoolClient, a better-sqlite3 Database, an mssql Transaction). */
  readonly native: unknown;
  /** The driver's handle as a handler may use it: refused once `lease` closes, transaction control refused. */
  handle(lease: HandleLease): unknown;
  /** Cancels the statement running on this transaction's connection, if the driver can (PostgreSQL). */
  cancelRunning?(): Promise<void>;
  /** See IUnitOfWork.within: the database's own statements made inside `run` join this transaction. */
  within?<T>(run: () => T): T;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * Commits, opens the next transaction on the same connection and runs its first statement, all in one
   * round trip (group commit: the next batch's claim rides with this batch's commit). `committed` settles
   * as soon as the database has answered the COMMIT: false when it rolled this transaction back instead
   * (a statement in it had failed); a rejection leaves this commit's outcome unknown. `rows` settles when
   * the first statement of the next transaction has run (it may wait on another transaction's rows); a
   * rejection ends that transaction, which then never began for the caller. Optional: a driver without
   * it commits and begins anew.
   */
  commitAndBeginWith?<R extends object>(sql: string, params: readonly unknown[]): { committed: Promise<boolean>; rows: Promise<R[]> };
  /**
   * Runs `lead` (a statement without parameters: a group-commit member's SAVEPOINT) and then `sql` in one
   * round trip. `lead` settles once it has run; `result` once `sql` has, with its rows (typed as `query`
   * types them) and the rows it touched (as `execute` counts them). A failing `lead` rejects both, and the
   * server skips `sql`. Optional: a driver without it runs them one after the other.
   */
  leadWith?<R extends object>(lead: string, sql: string, params: readonly unknown[]): { lead: Promise<void>; result: Promise<{ rows: R[]; count: number }> };
  /**
   * Runs `sql` and then COMMIT in one round trip; resolves to the rows `sql` touched once the commit has
   * succeeded. A failing `sql` makes the server skip the COMMIT: the transaction ends rolled back (its
   * connection is dropped) and the promise rejects; a COMMIT answered with a rollback rejects as `commit`
   * does. Either way the transaction has ended. Optional: a driver without it runs them one after the other.
   */
  executeAndCommit?(sql: string, params: readonly unknown[]): Promise<number>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Identifies the database, so a queue can tell whether a unit of work is in the same one. */
  readonly id: string;
  readonly dialect: 'sqlite' | 'postgres' | 'mssql';
  /** A transaction on a connection of its own (never shared with another running unit of work). */
  begin(): Promise<SqlTransaction>;
  /** Where connections are pooled: reserves those an owner will hold at most (ConnectionBudget). */
  readonly budget?: ConnectionBudget;
  /**
   * Begins a transaction and runs its first statement in one round trip. Optional, as above. Its rows'
   * values are typed as `query` types them when `typed` is set (bytea a Buffer), else left as text.
   */
  beginWith?<R extends object>(sql: string, params: readonly unknown[], typed?: boolean): Promise<{ transaction: SqlTransaction; rows: R[] }>;
  close(): Promise<void>;
  /** Whether a driver error is the connection failing, not the statement (see IUnitOfWork.isConnectionFailure). */
  isConnectionFailure?(error: unknown): boolean;
  /**
   * Where one writer serves every process (SQLite): how long (ms) a transaction should keep it, so
   * another process waiting for it gets in. Group commit admits no more members to a batch past it.
   */
  readonly writeTurnMs?: number;
}

/**
 * A COMMIT the database answered with a rollback: a statement in the transaction had failed. For one
 * message's transaction that is the handler's doing (it caught the failure); for a batch it is not
 * attributable to any one member.
 */
export function rolledBackAtCommit(what: 'transaction' | 'batch' = 'transaction'): StoreError | TransactionAbortedError {
  const message = `the database rolled the ${what} back at COMMIT: a statement in it had failed`;
  if (what === 'transaction') return new TransactionAbortedError(message);
  return new StoreError(message, { hint: 'a statement outside every member\'s savepoint failed; the batch is released and retried' });
}

/** Runs `run` in a transaction of its own: committed when it resolves, rolled back (quietly) when it throws. */
export async function inTransaction<T>(database: SqlDatabase, run: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  const tx = await database.begin();
  try {
    const result = await run(tx);
    await tx.commit();
    return result;
  } catch (error) {
    await tx.rollback().catch(() => undefined);
    throw error;
  }
}
