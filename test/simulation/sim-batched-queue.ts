import type { TransportMessage } from '../../src/envelope/transport-message.js';
import { type BatchSource, BatchedDeliveries, type TakenBatch } from '../../src/transport/batched-deliveries.js';
import type { IDeferredAcknowledgementQueue, IQueue, IReadyMessageQueue, ISharedReceiverQueue, ReceivedMessage } from '../../src/transport/queue.js';
import type { MemoryBroker } from '../../src/transports/memory/index.js';

/** Messages of a batch, as the broker handed them over. */
type Row = { readonly body: Uint8Array; readonly delivery: ReceivedMessage };

/**
 * Known-broken batch receivers the oracle must catch:
 * - 'batch-ack-on-take': each delivery is acknowledged at the broker as it is taken (a crash then loses
 *   the batch's messages not yet handled);
 * - 'batch-ready-ack-first': a message handed out without a promise (takeReady) is recorded acknowledged
 *   in its batch at once, before it is handled, and its pipeline's settle does nothing: once the batch
 *   ends, a crash or a failure of its handling loses it.
 */
export type BrokenBatches = 'batch-ack-on-take' | 'batch-ready-ack-first';

export interface BatchedQueueOptions {
  readonly batchSize: number;
  readonly broken?: BrokenBatches;
  /** Called for each message handed out by takeReady (the path without a promise), so a run can show it took it. */
  readonly readyHandedOut?: () => void;
}

/**
 * A receive queue that takes its messages in batches (BatchedDeliveries, as postgres://…?batch=N does)
 * from a queue of the simulated broker: a take is one delivery and then whatever else is ready, up to the
 * limit; a batch's end acknowledges the acknowledged ones and releases the rest, each through the seams of
 * `inner` (so a crash can land mid-end: what was not yet acknowledged comes back, as a rollback would give
 * it back). Like the SQL batch queues, it offers `takeReady` (IReadyMessageQueue): the receive loops take
 * a message of a batch already taken from there first, and call getMessage only when none is waiting.
 */
export function batchedQueue(inner: IQueue, broker: MemoryBroker, options: BatchedQueueOptions): IQueue & ISharedReceiverQueue & IReadyMessageQueue & IDeferredAcknowledgementQueue {
  const { batchSize, broken, readyHandedOut } = options;
  const source: BatchSource<Row> = {
    async take(limit: number): Promise<TakenBatch<Row> | null> {
      // A SQL queue polls: an empty table answers at once, and the loops sleep while idle (durationToSleepWhenIdle)
      // — what arrives meanwhile is taken as one batch, whose later messages go out by takeReady.
      if (broker.stateOf(inner.uri).ready.length === 0) return null;
      const rows: Row[] = [];
      try {
        do {
          const delivery = await inner.getMessage();
          if (!delivery) break;
          if (broken === 'batch-ack-on-take') await inner.acknowledge(delivery.token);
          rows.push({ body: delivery.body, delivery });
        } while (rows.length < limit && broker.stateOf(inner.uri).ready.length > 0);
      } catch (error) {
        await giveBack(rows); // a take that failed locked nothing
        throw error;
      }
      if (rows.length === 0) return null;
      return {
        rows,
        async end(acknowledged) {
          if (broken === 'batch-ack-on-take') return;
          const left = [...rows];
          try {
            while (left.length > 0) {
              const row = left[0]!;
              if (acknowledged.includes(row)) await inner.acknowledge(row.delivery.token);
              else await inner.release(row.delivery.token);
              left.shift();
            }
          } catch (error) {
            await giveBack(left); // as a rollback would: what was not settled comes back
            throw error;
          }
        },
      };
    },
  };
  /** Releases deliveries still held (best effort: a release the broker no longer knows is already back). */
  const giveBack = async (rows: readonly Row[]) => {
    for (const row of rows) await inner.release(row.delivery.token).catch(() => undefined);
  };
  const deliveries = new BatchedDeliveries(inner.uri, source, batchSize);
  /** 'batch-ready-ack-first': tokens already recorded acknowledged at hand-out, whose settle does nothing. */
  const settledAtHandOut = new Set<unknown>();
  const takeReady = (): ReceivedMessage | null => {
    const ready = deliveries.takeReady();
    if (ready === null) return null;
    readyHandedOut?.();
    if (broken === 'batch-ready-ack-first') {
      settledAtHandOut.add(ready.token);
      // Ends the batch when this was its last message out: the end's failure is the batch's to report.
      void deliveries.acknowledge(ready.token).catch(() => undefined);
    }
    return ready;
  };
  const settle = (token: unknown, how: (token: unknown) => Promise<void>): Promise<void> =>
    settledAtHandOut.delete(token) ? Promise.resolve() : how(token);
  return {
    uri: inner.uri,
    sharedByReceiveLoops: true,
    enqueue: (message: TransportMessage, body: Uint8Array) => inner.enqueue(message, body),
    getMessage: () => deliveries.getMessage(),
    takeReady,
    acknowledge: (token) => settle(token, (t) => deliveries.acknowledge(t)),
    acknowledgeThen: (token: unknown, durable: () => void) => settle(token, (t) => deliveries.acknowledge(t, durable)),
    release: (token) => settle(token, (t) => deliveries.release(t)),
    close: async () => {
      await deliveries.close();
      await inner.close();
    },
  };
}
