import type { TransportMessage } from '../../envelope/transport-message.js';
import { ConfigurationError } from '../../errors/errors.js';
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
import { EnqueueBatcher, type PendingEnqueue } from './enqueue-batcher.js';
import { packBodies } from './packed-bodies.js';
import { inTransaction, type SqlDatabase } from './sql-database.js';
import type { QueueStatements } from './sql-statements.js';
import { SqlUnitOfWork } from './sql-unit-of-work.js';

/** Wake-ups when rows arrive in a queue's table (PostgreSQL's LISTEN/NOTIFY), so an empty queue is not polled. */
export interface QueueWakeUps {
  /** Starts waiting at most `ms` for the next row (start it before looking, so one arriving meanwhile counts). */
  wait(ms: number): { readonly done: Promise<void>; cancel(): void };
}

/** How long a receiver that found its queue empty waits for a wake-up before answering null. */
export const WAKE_UP_WAIT_MS = 250;

/**
 * Takes once; when that finds nothing and wake-ups are offered, waits for one (at most WAKE_UP_WAIT_MS)
 * and takes again.
 */
export async function takeOrWait<T>(take: () => Promise<T | null>, wakeUps: QueueWakeUps | undefined): Promise<T | null> {
  const wake = wakeUps?.wait(WAKE_UP_WAIT_MS);
  const got = await take().catch((error: unknown) => {
    wake?.cancel();
    throw error;
  });
  if (got !== null || !wake) {
    wake?.cancel();
    return got;
  }
  await wake.done;
  return take();
}

/**
 * What every SQL queue does the same way, whatever its receive strategy (row locks or leases): insert a
 * row (inside the handler's unit of work when it is of this database), create, purge, drop and count the
 * table. Deferred delivery is the rows' due time, so every SQL queue schedules by itself.
 */
export abstract class SqlQueueBase implements IQueue, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue, ISchedulingQueue, ITransactionalQueue {
  readonly supportsScheduledDelivery = true as const;
  private named: Promise<void> | null = null;
  protected isOwned = false;
  private readonly batcher = new EnqueueBatcher((batch) => this.enqueueBatch(batch));

  constructor(
    readonly uri: string,
    /** The queue's name as written in its URI; its table may be shared by no other name. */
    private readonly queueName: string,
    protected readonly db: SqlDatabase,
    private readonly statements: QueueStatements,
    private readonly ready: () => Promise<unknown>,
    /** Whether an error from CREATE means "another process created it first". */
    private readonly isAlreadyExists: (error: unknown) => boolean = () => false,
    /**
     * Given by a store that does not migrate (`migrate: false`): create() runs this check that the table is
     * there instead of creating it, so the runtime user needs no DDL rights.
     */
    private readonly checkTable?: () => Promise<void>,
  ) {}

  abstract getMessage(): Promise<ReceivedMessage | null>;
  abstract acknowledge(token: unknown): Promise<void>;
  abstract release(token: unknown): Promise<void>;
  abstract close(): Promise<void>;

  canEnlist(unitOfWork: IUnitOfWork): boolean {
    return unitOfWork instanceof SqlUnitOfWork && unitOfWork.storeId === this.db.id;
  }

  async enqueue(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void> {
    if (!this.isOwned) await this.owned();
    const params = [message.messageId, message.priority, message.ignoreTillDate, message.expiryDate, body];
    if (unitOfWork && this.canEnlist(unitOfWork)) await (unitOfWork as SqlUnitOfWork).tx.execute(this.statements.enqueue, params);
    else await this.batcher.enqueue(params);
  }

  /** The enqueues of one turn of the event loop, in one write: a set statement where the dialect has one, else one transaction. */
  private async enqueueBatch(batch: readonly PendingEnqueue[]): Promise<void> {
    if (batch.length === 1) {
      await this.db.execute(this.statements.enqueue, batch[0]!.params);
      return;
    }
    const many = this.statements.enqueueMany;
    if (many) {
      await this.db.execute(many, enqueueManyParameters(batch));
      return;
    }
    await inTransaction(this.db, async (tx) => {
      for (const p of batch) await tx.execute(this.statements.enqueue, p.params);
    });
  }

  async create(): Promise<void> {
    await this.ready();
    if (this.checkTable) {
      await this.checkTable();
      await this.owned();
      return;
    }
    for (const statement of this.statements.createTable) {
      await this.db.execute(statement).catch((error: unknown) => {
        if (!this.isAlreadyExists(error)) throw error;
      });
    }
    await this.owned();
  }

  /**
   * Once per queue object: the table is this queue's, by the name recorded for it (the first name to use
   * it). `orders-in` and `orders_in` map to one table, and would otherwise share its messages silently.
   */
  protected owned(): Promise<void> {
    this.named ??= (async () => {
      await this.ready();
      await this.db.execute(this.statements.claimTable, [this.queueName]);
      const [row] = await this.db.query<{ queue_name: string }>(this.statements.tableOwner);
      if (row && row.queue_name === this.queueName) this.isOwned = true;
      else if (row) {
        throw new ConfigurationError('queue uri', `'${this.uri}': queue '${this.queueName}' would share its table with queue '${row.queue_name}'`, {
          queueUri: this.uri,
          hint: "queue names that differ only in '-', '.', '_' or letter case map to one table: rename one of them",
        });
      }
    })().catch((error: unknown) => {
      this.named = null;
      throw error;
    });
    return this.named;
  }

  async purge(): Promise<void> {
    await this.db.execute(this.statements.purge);
  }

  async drop(): Promise<void> {
    await this.db.execute(this.statements.drop);
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number | string }>(this.statements.count);
    return Number(row?.n ?? 0);
  }
}

/**
 * enqueueMany's parameters: the columns as arrays, in enqueue order (the statement keeps it: FIFO within a
 * priority holds), and the bodies end to end in one byte string with where each starts and how long it is.
 */
function enqueueManyParameters(batch: readonly PendingEnqueue[]): unknown[] {
  const columns: unknown[][] = [[], [], [], []];
  const bodies: Uint8Array[] = [];
  for (const { params } of batch) {
    for (let c = 0; c < 4; c++) columns[c]!.push(params[c]);
    bodies.push(params[4] as Uint8Array);
  }
  const packed = packBodies(bodies);
  return [...columns, packed.bytes, packed.starts, packed.lengths];
}
