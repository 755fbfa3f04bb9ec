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
   * unit of work failing (the server went away, the socket broke) rather than the statement: the
   * infrastructure's fault wherever it surfaced, so the message is released and not counted as failed.
   */
  isConnectionFailure?(error: unknown): boolean;
}
