import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type {
  ICountQueue,
  ICreateQueue,
  IDropQueue,
  IPurgeQueue,
  IQueue,
  ISchedulingQueue,
  ITransactionalQueue,
  ReceivedMessage,
} from '../../transport/queue.js';
import type { SqlDatabase, SqlTransaction } from './sql-database.js';
import type { QueueStatements } from './sql-statements.js';
import { SqlUnitOfWork } from './sql-unit-of-work.js';

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
 * out. Deferred delivery is a due-time column (ISchedulingQueue). Enqueue joins a unit of work of the
 * same database (ITransactionalQueue).
 */
export class RowLockingQueue implements IQueue, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue, ISchedulingQueue, ITransactionalQueue {
  readonly supportsScheduledDelivery = true as const;
  private readonly held = new Set<Held>();

  constructor(
    readonly uri: string,
    private readonly db: SqlDatabase,
    private readonly sql: RowLockingQueueStatements,
    private readonly ready: () => Promise<unknown>,
    /** Whether an error from CREATE means "another process created it first". */
    private readonly isAlreadyExists: (error: unknown) => boolean,
  ) {}

  canEnlist(unitOfWork: IUnitOfWork): boolean {
    return unitOfWork instanceof SqlUnitOfWork && unitOfWork.storeId === this.db.id;
  }

  async enqueue(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void> {
    const params = [message.messageId, message.priority, message.ignoreTillDate, message.expiryDate, body];
    if (unitOfWork && this.canEnlist(unitOfWork)) await (unitOfWork as SqlUnitOfWork).tx.execute(this.sql.enqueue, params);
    else await this.db.execute(this.sql.enqueue, params);
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    const tx = await this.db.begin();
    try {
      const [row] = await tx.query<{ id: unknown; body: Uint8Array }>(this.sql.take, [Date.now()]);
      if (!row) {
        await tx.rollback();
        return null;
      }
      const held: Held = { tx, id: row.id, settled: false };
      this.held.add(held);
      return { body: row.body, token: held };
    } catch (error) {
      await tx.rollback();
      throw error;
    }
  }

  async acknowledge(token: unknown): Promise<void> {
    const held = this.settle(token);
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
    await this.settle(token).tx.rollback();
  }

  async close(): Promise<void> {
    for (const held of [...this.held]) await this.release(held).catch(() => undefined);
  }

  async create(): Promise<void> {
    await this.ready();
    for (const statement of this.sql.createTable) {
      await this.db.execute(statement).catch((error: unknown) => {
        if (!this.isAlreadyExists(error)) throw error;
      });
    }
  }

  async purge(): Promise<void> {
    await this.db.execute(this.sql.purge);
  }

  async drop(): Promise<void> {
    await this.db.execute(this.sql.drop);
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(this.sql.count);
    return Number(row?.n ?? 0);
  }

  private settle(token: unknown): Held {
    const held = token as Held;
    if (!this.held.has(held) || held.settled) {
      throw new TransportError('acknowledge/release of a message this queue does not hold (already settled?)', { queueUri: this.uri });
    }
    held.settled = true;
    this.held.delete(held);
    return held;
  }
}
