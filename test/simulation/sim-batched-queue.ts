import type { TransportMessage } from '../../src/envelope/transport-message.js';
import { type BatchSource, BatchedDeliveries, type TakenBatch } from '../../src/transport/batched-deliveries.js';
import type { IQueue, ISharedReceiverQueue, ReceivedMessage } from '../../src/transport/queue.js';
import type { MemoryBroker } from '../../src/transports/memory/index.js';

/** Messages of a batch, as the broker handed them over. */
type Row = { readonly body: Uint8Array; readonly delivery: ReceivedMessage };

/**
 * A receive queue that takes its messages in batches (BatchedDeliveries, as postgres://…?batch=N does)
 * from a queue of the simulated broker: a take is one delivery and then whatever else is ready, up to the
 * limit; a batch's end acknowledges the acknowledged ones and releases the rest, each through the seams of
 * `inner` (so a crash can land mid-end: what was not yet acknowledged comes back, as a rollback would give
 * it back). 'batch-ack-on-take' acknowledges each delivery as it is taken (what a crash then loses).
 */
export function batchedQueue(inner: IQueue, broker: MemoryBroker, batchSize: number, broken?: 'batch-ack-on-take'): IQueue & ISharedReceiverQueue {
  const source: BatchSource<Row> = {
    async take(limit: number): Promise<TakenBatch<Row> | null> {
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
  return {
    uri: inner.uri,
    sharedByReceiveLoops: true,
    enqueue: (message: TransportMessage, body: Uint8Array) => inner.enqueue(message, body),
    getMessage: () => deliveries.getMessage(),
    acknowledge: (token) => deliveries.acknowledge(token),
    release: (token) => deliveries.release(token),
    close: async () => {
      await deliveries.close();
      await inner.close();
    },
  };
}
