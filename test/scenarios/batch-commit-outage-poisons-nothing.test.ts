import { expect } from 'chai';
import { TransportError } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { BatchedDeliveries, type TakenBatch } from '../../src/transport/batched-deliveries.js';
import type { IDeferredAcknowledgementQueue, IQueue, IQueueFactory, IReadyMessageQueue, ISharedReceiverQueue } from '../../src/transport/queue.js';
import { INFRASTRUCTURE_FAILURE_LIMIT } from '../../src/recoverability/infrastructure-failures.js';
import { TYPES } from '../../src/di/tokens.js';
import { eventually } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';

interface Row {
  readonly body: Uint8Array;
}

/**
 * A queue taken in batches (as the SQL queues with `?batch`) whose batch end — the one commit that removes
 * the acknowledged rows — fails while `outage` is on, as a database restart would: the whole batch comes back.
 */
class OutageBatchQueue implements IQueue, ISharedReceiverQueue, IReadyMessageQueue, IDeferredAcknowledgementQueue {
  readonly sharedByReceiveLoops = true;
  readonly rows: Row[] = [];
  outage = true;
  failedEnds = 0;
  private readonly deliveries: BatchedDeliveries<Row>;

  constructor(readonly uri: string) {
    this.deliveries = new BatchedDeliveries(uri, { take: async (limit) => this.take(limit) }, 3);
  }

  private take(limit: number): TakenBatch<Row> | null {
    if (this.rows.length === 0) return null;
    const taken = this.rows.splice(0, limit);
    return {
      rows: taken,
      end: async (acknowledged) => {
        if (this.outage) {
          this.failedEnds++;
          this.rows.unshift(...taken); // rolled back: every row of the batch comes again
          throw new TransportError('connection terminated (the database restarts)', { queueUri: this.uri });
        }
        this.rows.unshift(...taken.filter((r) => !acknowledged.includes(r)));
      },
    };
  }

  enqueue = async (_m: unknown, body: Uint8Array): Promise<void> => void this.rows.push({ body });
  getMessage = () => this.deliveries.getMessage();
  takeReady = () => this.deliveries.takeReady();
  acknowledge = (token: unknown) => this.deliveries.acknowledge(token);
  acknowledgeThen = (token: unknown, durable: () => void) => this.deliveries.acknowledge(token, durable);
  release = (token: unknown) => this.deliveries.release(token);
  close = () => this.deliveries.close();
}

const handled = new Map<string, number>();

@handlesMessage(PlaceOrder)
class Counts implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    handled.set(ctx.message.orderId, (handled.get(ctx.message.orderId) ?? 0) + 1);
  }
}

describe('scenario: while a batched queue cannot commit its batches, no message is taken for poison', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it(`holds every message through ${INFRASTRUCTURE_FAILURE_LIMIT * 3} failed batch ends, then handles each once`, async function () {
    this.timeout(30_000);
    const queue = new OutageBatchQueue('outage://work');
    const factory: IQueueFactory = { scheme: 'outage', create: () => queue };
    const { bus } = world.endpoint(
      'outage',
      { handlers: [Counts], idempotence: true, inbox: { workQueueUri: 'outage://work', errorQueueUri: 'memory://outage-error', threadCount: 1, durationToSleepWhenIdle: ['1ms'] } },
      [],
      (c) => c.bind(TYPES.QueueFactory).toConstantValue(factory),
    );
    await bus.start();
    for (let i = 0; i < 3; i++) await bus.send(new PlaceOrder(`o-${i}`), { local: true });
    // The first two acknowledgements of each batch are only recorded; the third ends the batch, and fails.
    await eventually(() => queue.failedEnds >= INFRASTRUCTURE_FAILURE_LIMIT * 3, 'the batch ends to fail again and again', 20_000);
    expect(world.count('outage-error'), 'the acknowledgements recorded in a batch that never committed are no successes').to.equal(0);
    queue.outage = false;
    await eventually(() => queue.rows.length === 0 && handled.size === 3, 'every message to be handled and removed', 10_000);
    expect(world.count('outage-error')).to.equal(0);
    expect([...handled.values()], 'each handler ran once: later copies only found it done').to.deep.equal([1, 1, 1]);
  });
});
