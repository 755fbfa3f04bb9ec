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
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * Commits and opens the next transaction on the same connection in one round trip (group commit uses
   * it when more messages are waiting). Optional: a driver without it commits and begins anew.
   */
  commitAndBegin?(): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Identifies the database, so a queue can tell whether a unit of work is in the same one. */
  readonly id: string;
  readonly dialect: 'sqlite' | 'postgres' | 'mssql';
  /** A transaction on a connection of its own (never shared with another running unit of work). */
  begin(): Promise<SqlTransaction>;
  close(): Promise<void>;
}
