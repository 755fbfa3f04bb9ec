import { expect } from 'chai';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { MemoryTransaction } from '../../src/idempotence/memory/index.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';

let running = 0;
let maxConcurrent = 0;
let runs = 0;
let failNext = false;
const effects: string[] = [];

/** Slow on purpose, so two copies taken by two receive loops overlap. */
@handlesMessage(PlaceOrder)
class SlowHandler implements IMessageHandler<PlaceOrder, MemoryTransaction> {
  async handle(ctx: IHandlerContext<PlaceOrder, MemoryTransaction>): Promise<void> {
    runs++;
    running++;
    maxConcurrent = Math.max(maxConcurrent, running);
    try {
      await ctx.send(new ShipOrder(ctx.message.orderId));
      await new Promise((r) => setTimeout(r, 50));
      if (failNext) {
        failNext = false;
        throw new Error('fails after sending');
      }
      ctx.transaction.onCommit(() => effects.push(ctx.message.orderId));
    } finally {
      running--;
    }
  }
}

describe('scenario: competing copies of one message on several receive loops run the handler once', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());
  const routes = [{ uri: 'memory://cc-shipping', specifications: [{ types: [ShipOrder] }] }];

  it('the other copies wait for the first one’s commit, then skip the handler (handled or completed)', async () => {
    const { bus } = world.endpoint('cc', { handlers: [SlowHandler], idempotence: true, routes, inbox: { workQueueUri: 'memory://cc', errorQueueUri: 'memory://cc-error', threadCount: 4, durationToIgnoreOnFailure: ['0ms'] } });
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled');
    // A copy that finds the row `handled` flushes what is left (nothing), one that finds it `completed` is ignored.
    let skipped = 0;
    const bothSkipped = new Promise<void>((resolve) => {
      const count = (): void => {
        if (++skipped === 2) resolve();
      };
      bus.events.on('messageIgnored', count);
      bus.events.on('messageFlushed', count);
    });
    const sent = await bus.send(new PlaceOrder('same'), { local: true });
    const queue = world.broker.create('memory://cc');
    await queue.enqueue(sent, serializeTransportMessage(sent));
    await queue.enqueue(sent, serializeTransportMessage(sent));
    await handled;
    await bothSkipped;
    expect(runs).to.equal(1);
    expect(maxConcurrent).to.equal(1);
    expect(effects).to.deep.equal(['same']);
    expect(world.messagesIn('cc-shipping')).to.have.length(1);
  });

  it('sends made before a handler failure are never dispatched: they roll back with it', async () => {
    runs = 0;
    effects.length = 0;
    failNext = true;
    const { bus } = world.endpoint('cc2', { handlers: [SlowHandler], idempotence: true, routes: [{ uri: 'memory://cc2-shipping', specifications: [{ types: [ShipOrder] }] }], inbox: { workQueueUri: 'memory://cc2', errorQueueUri: 'memory://cc2-error', durationToIgnoreOnFailure: ['0ms'] } });
    await bus.start();
    const retried = waitForEvents(bus.events, 'messageRetried');
    const handled = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new PlaceOrder('rolled'), { local: true });
    await retried;
    await handled;
    expect(runs).to.equal(2);
    expect(effects).to.deep.equal(['rolled']);
    expect(world.messagesIn('cc2-shipping'), 'only the committed attempt’s send').to.have.length(1);
  });
});
