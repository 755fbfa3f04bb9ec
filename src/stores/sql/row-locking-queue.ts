import { TransportError } from '../../errors/errors.js';
import { HeldDeliveries } from '../../transport/held-deliveries.js';
import type { ReceivedMessage } from '../../transport/queue.js';
import type { SqlDatabase, SqlTransaction } from './sql-database.js';
import { type QueueWakeUps, SqlQueueBase, takeOrWait } from './sql-queue-base.js';
import type { QueueStatements } from './sql-statements.js';

export interface RowLockingQueueStatements extends QueueStatements {
  /** (now) → at most one row { id, body }, locked for this transaction, skipping rows others hold */
  readonly take: string;
  /** (id) */
  readonly delete: string;
}

/** A taken row: its transaction stays open (holding the row lock) until acknowledge or release. */
interface Held {
  readonly tx: SqlTransaction;
  readonly id: unknown;
  settled: boolean;
}

/**
 * A queue table in a server database with row locks (PostgreSQL's FOR UPDATE SKIP LOCKED, SQL Server's
 * UPDLOCK + READPAST): taking a message opens a transaction that locks its row, so competing consumers
 * take different rows; acknowledge deletes it and commits, release rolls back. If the process dies, its
 * connections close, the transactions roll back and the rows are visible again at once: no lease to wait
 * out.
 */
export class RowLockingQueue extends SqlQueueBase {
  private readonly held = new HeldDeliveries<Held>();
  private unreserve: (() => void) | null = null;

  constructor(
    uri: string,
    queueName: string,
    db: SqlDatabase,
    private readonly sql: RowLockingQueueStatements,
    ready: () => Promise<unknown>,
    isAlreadyExists: (error: unknown) => boolean,
    private readonly wakeUps?: QueueWakeUps,
    checkTable?: () => Promise<void>,
  ) {
    super(uri, queueName, db, sql, ready, isAlreadyExists, checkTable);
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    if (!this.isOwned) await this.owned();
    return takeOrWait(() => this.take(), this.wakeUps);
  }

  private async take(): Promise<ReceivedMessage | null> {
    const tx = await this.db.begin();
    try {
      const [row] = await tx.query<{ id: unknown; body: Uint8Array }>(this.sql.take, [Date.now()]);
      if (!row) {
        await tx.rollback();
        return null;
      }
      return { body: row.body, token: this.held.add({ tx, id: row.id, settled: false }) };
    } catch (error) {
      await tx.rollback();
      throw error;
    }
  }

  async acknowledge(token: unknown): Promise<void> {
    const held = this.held.settle(token, this.uri);
    try {
      await held.tx.execute(this.sql.delete, [held.id]);
      await held.tx.commit();
    } catch (error) {
      await held.tx.rollback();
      // The transaction did not commit, so the row is back in the queue: it is redelivered, not lost.
      throw new TransportError(`acknowledge failed; the message will be redelivered: ${String(error)}`, { queueUri: this.uri, cause: error });
    }
  }

  async release(token: unknown): Promise<void> {
    await this.held.settle(token, this.uri).tx.rollback();
  }

  /** A receive loop holds one connection per message in hand (its row lock): reserved from the pool. */
  openReceiver(): void {
    this.unreserve ??= this.db.budget?.reserve(1, `a receive loop on ${this.uri}`) ?? null;
  }

  async close(): Promise<void> {
    for (const held of this.held.all()) await this.release(held).catch(() => undefined);
    this.unreserve?.();
    this.unreserve = null;
  }
}
