import { type BatchSource, BatchedDeliveries, MAX_OPEN_BATCHES, type TakenBatch } from '../../transport/batched-deliveries.js';
import type { IDeferredAcknowledgementQueue, IReadyMessageQueue, ISharedReceiverQueue, ReceivedMessage } from '../../transport/queue.js';
import type { RowLockingQueueStatements } from './row-locking-queue.js';
import type { SqlDatabase, SqlTransaction } from './sql-database.js';
import { type QueueWakeUps, SqlQueueBase, takeOrWait } from './sql-queue-base.js';

export interface BatchTakingQueueStatements extends RowLockingQueueStatements {
  /** (now, limit) → up to `limit` rows { id, body }, locked for this transaction, skipping rows others hold */
  readonly takeMany: string;
  /** (ids[]) */
  readonly deleteMany: string;
}

type Row = { readonly id: unknown; readonly body: Uint8Array };


/**
 * A row-locking queue (FOR UPDATE SKIP LOCKED) whose receiver takes up to `batchSize` rows in one
 * statement and one transaction, and hands them to every receive loop of the endpoint (BatchedDeliveries).
 * When a batch's last row is settled, its acknowledged rows are deleted and the transaction commits — one
 * DELETE and one COMMIT for the batch instead of a transaction per message; rows not acknowledged are
 * unlocked by that commit. A crash rolls the transaction back: every row of the batch comes back.
 */
export class BatchTakingQueue extends SqlQueueBase implements ISharedReceiverQueue, IReadyMessageQueue, IDeferredAcknowledgementQueue {
  readonly sharedByReceiveLoops = true as const;
  private readonly deliveries: BatchedDeliveries<Row>;
  private unreserve: (() => void) | null = null;

  constructor(
    uri: string,
    queueName: string,
    db: SqlDatabase,
    sql: BatchTakingQueueStatements,
    batchSize: number,
    ready: () => Promise<unknown>,
    isAlreadyExists: (error: unknown) => boolean,
    wakeUps?: QueueWakeUps,
    checkTable?: () => Promise<void>,
  ) {
    super(uri, queueName, db, sql, ready, isAlreadyExists, checkTable);
    const rows = lockedRows(db, sql);
    this.deliveries = new BatchedDeliveries(uri, { take: (limit) => takeOrWait(() => rows.take(limit), wakeUps) }, batchSize);
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    if (!this.isOwned) await this.owned();
    return this.deliveries.getMessage();
  }

  /** A row of a batch already taken, without a promise (IReadyMessageQueue); null before the table is known to be this queue's. */
  takeReady(): ReceivedMessage | null {
    return this.isOwned ? this.deliveries.takeReady() : null;
  }

  acknowledge(token: unknown): Promise<void> {
    return this.deliveries.acknowledge(token);
  }

  /** Recorded in its batch; `durable` runs once the batch's end has committed (IDeferredAcknowledgementQueue). */
  acknowledgeThen(token: unknown, durable: () => void): Promise<void> {
    return this.deliveries.acknowledge(token, durable);
  }

  release(token: unknown): Promise<void> {
    return this.deliveries.release(token);
  }

  /** Every open batch's connection, reserved from the pool for the endpoint's lifetime. */
  openReceiver(): void {
    this.unreserve ??= this.db.budget?.reserve(MAX_OPEN_BATCHES, `the batches of ${this.uri}`) ?? null;
  }

  async close(): Promise<void> {
    await this.deliveries.close();
    this.unreserve?.();
    this.unreserve = null;
  }
}

/** Rolls `tx` back, then rethrows. */
const rollback = (tx: SqlTransaction) => async (error: unknown): Promise<never> => {
  await tx.rollback().catch(() => undefined);
  throw error;
};

/** Rows locked in a transaction of their own, which stays open until the batch ends. */
function lockedRows(db: SqlDatabase, sql: BatchTakingQueueStatements): BatchSource<Row> {
  return {
    async take(limit: number): Promise<TakenBatch<Row> | null> {
      const { tx, rows } = await begunWithTake(db, sql.takeMany, [Date.now(), limit]);
      if (rows.length === 0) {
        await tx.rollback();
        return null;
      }
      return {
        rows,
        async end(acknowledged) {
          if (acknowledged.length === 0) return tx.commit().catch(rollback(tx));
          const ids = [acknowledged.map((r) => r.id)];
          // The delete and the commit in one round trip where the driver can (the transaction ends either way).
          if (tx.executeAndCommit) return void (await tx.executeAndCommit(sql.deleteMany, ids));
          await tx.execute(sql.deleteMany, ids).catch(rollback(tx));
          await tx.commit().catch(rollback(tx));
        },
      };
    },
  };
}

/** A transaction that has run `take`: BEGIN and the take in one round trip where the driver can. */
async function begunWithTake(db: SqlDatabase, take: string, params: unknown[]): Promise<{ tx: SqlTransaction; rows: Row[] }> {
  if (db.beginWith) {
    const { transaction, rows } = await db.beginWith<Row>(take, params, true);
    return { tx: transaction, rows };
  }
  const tx = await db.begin();
  return { tx, rows: await tx.query<Row>(take, params).catch(rollback(tx)) };
}
