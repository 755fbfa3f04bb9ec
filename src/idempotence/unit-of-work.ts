/**
 * The transaction one inbound message is handled in. With idempotence on it is a database transaction
 * (or, with group commit, a savepoint inside a shared one): the claim row, the handler's own writes
 * (through `transaction`) and the stored outgoing messages commit together or not at all. With
 * idempotence off there is none and `context.transaction` is undefined.
 */
export interface IUnitOfWork<TTransaction = unknown> {
  /** The store's native handle the handler writes through (a pg client, a better-sqlite3 Database, …). */
  readonly transaction: TTransaction;
  /** Identifies the store the transaction belongs to, so a SQL queue can tell whether it may join it. */
  readonly storeId: string;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * The handler is given up (it outlived handlerTimeout, or stop() stopped waiting): refuse its further use
   * of `transaction` at once, before it learns of it; the rollback follows.
   */
  abandon?(): void;
  /**
   * Runs the handler "inside" this unit of work, for a store that must know it: SQLite has one writer per
   * file, held by this unit of work while the handler runs, so a plain write to the same database from the
   * handler (`bus.send` to a sqlite:// queue) joins this transaction instead of waiting for it forever.
   */
  within?<T>(run: () => T): T;
  /**
   * Whether `error`, raised by a statement the handler ran on `transaction`, is the connection under this
   * unit of work failing (the server went away, the socket broke), or the server having no connection or
   * resource to spare (PostgreSQL 53300), rather than the statement: the infrastructure's fault wherever
   * it surfaced, so the message is released and not counted as failed.
   */
  isConnectionFailure?(error: unknown): boolean;
  /**
   * Present on the SQL stores' units of work: statements an add-on (sagas, HTTP idempotency keys) runs on
   * this unit of work's transaction, so its rows commit with the claim, the handler's writes and the stored
   * sends, or not at all.
   */
  readonly records?: IUnitOfWorkRecords;
}

/** The tables a SQL store keeps for add-ons, by name: saga instances, and HTTP Idempotency-Keys with their stored responses. */
export type RecordTableName = 'sagas' | 'http_keys';

/**
 * An add-on's access to the unit of work's transaction (`IUnitOfWork.records`). With group commit it runs
 * inside the message's savepoint, like the handler's own writes. Refused once the unit of work has ended
 * (committed, rolled back, or its handler given up), like `transaction`.
 */
export interface IUnitOfWorkRecords {
  /** Which SQL the statements must be written in (parameters: `$1`… on PostgreSQL and SQLite, `@p1`… on SQL Server). */
  readonly dialect: 'sqlite' | 'postgres' | 'mssql';
  /** The table's name as statements write it: schema-qualified (PostgreSQL, SQL Server) or prefixed (SQLite), validated. */
  table(name: RecordTableName): string;
  /** Rows of a statement that returns some. */
  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A statement run for its effect; resolves to the number of rows it touched. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}
