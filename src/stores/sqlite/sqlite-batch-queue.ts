import { randomUUID } from 'node:crypto';
import type { TransportMessage } from '../../envelope/transport-message.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import { type BatchSource, BatchedDeliveries, type TakenBatch } from '../../transport/batched-deliveries.js';
import type { IDeferredAcknowledgementQueue, IReadyMessageQueue, ISharedReceiverQueue, ReceivedMessage } from '../../transport/queue.js';
import { inTransaction, type SqlDatabase } from '../sql/sql-database.js';
import { SqlQueueBase, takeOrWait } from '../sql/sql-queue-base.js';
import type { sqliteQueue } from './sqlite-statements.js';

type Row = { readonly id: number; readonly priority: number; readonly body: Uint8Array };

/** Wakes receivers of this process when a message is enqueued (SQLite has no notifications across processes). */
export interface EnqueueSignal {
  wait(ms: number): Promise<void>;
  notify(): void;
}

/**
 * A SQLite queue whose receiver leases up to `batchSize` rows in one statement (one token for the batch)
 * and hands them to every receive loop (BatchedDeliveries). When the batch's last row is settled, one
 * transaction deletes the acknowledged rows and frees the others. A crash leaves the batch leased until its
 * lease runs out (`lease`, default 30 s): then every row of it is taken again, acknowledged ones too, and
 * idempotence makes those copies no-ops. A row whose lease ran out while this process still held it may be
 * taken by another consumer meanwhile; its copy here and there are the same message, handled once.
 */
export class SqliteBatchQueue extends SqlQueueBase implements ISharedReceiverQueue, IReadyMessageQueue, IDeferredAcknowledgementQueue {
  readonly sharedByReceiveLoops = true as const;
  private readonly deliveries: BatchedDeliveries<Row>;

  constructor(
    uri: string,
    queueName: string,
    db: SqlDatabase,
    sql: ReturnType<typeof sqliteQueue>,
    leaseMs: number,
    batchSize: number,
    ready: () => Promise<unknown>,
    private readonly signal: EnqueueSignal,
    checkTable?: () => Promise<void>,
  ) {
    super(uri, queueName, db, sql, ready, undefined, checkTable);
    const rows = leasedRows(db, sql, leaseMs);
    const wakeUps = { wait: (ms: number) => ({ done: signal.wait(ms), cancel: () => undefined }) };
    this.deliveries = new BatchedDeliveries(uri, { take: (limit) => takeOrWait(() => rows.take(limit), wakeUps) }, batchSize);
  }

  override async enqueue(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void> {
    await super.enqueue(message, body, unitOfWork);
    this.signal.notify();
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

  async release(token: unknown): Promise<void> {
    await this.deliveries.release(token);
  }

  close(): Promise<void> {
    return this.deliveries.close();
  }
}

/** Rows leased under one token per batch; its end deletes the acknowledged ones and frees the rest, in one transaction. */
function leasedRows(db: SqlDatabase, sql: ReturnType<typeof sqliteQueue>, leaseMs: number): BatchSource<Row> {
  return {
    async take(limit: number): Promise<TakenBatch<Row> | null> {
      const now = Date.now();
      const token = randomUUID();
      const rows = await db.query<Row>(sql.takeMany, [now, now + leaseMs, token, limit]);
      if (rows.length === 0) return null;
      // RETURNING gives no order: the queue's order is priority, then arrival.
      rows.sort((a, b) => b.priority - a.priority || a.id - b.id);
      return {
        rows,
        end(acknowledged) {
          return inTransaction(db, async (tx) => {
            // Rows whose lease ran out and were taken again carry another token: left to their new holder.
            if (acknowledged.length > 0) await tx.execute(sql.deleteMany, [token, JSON.stringify(acknowledged.map((r) => r.id))]);
            const done = new Set(acknowledged);
            const rest = rows.filter((r) => !done.has(r));
            if (rest.length > 0) await tx.execute(sql.unlockMany, [token, JSON.stringify(rest.map((r) => r.id))]);
          });
        },
      };
    },
  };
}
