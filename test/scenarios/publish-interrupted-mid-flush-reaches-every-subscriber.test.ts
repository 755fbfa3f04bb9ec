import { expect } from 'chai';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { OrderPlaced, PlaceOrder } from '../support/messages.js';

const received = new Map<string, string[]>();
let publisherRuns = 0;

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    publisherRuns++;
    await ctx.publish(new OrderPlaced(ctx.message.orderId));
  }
}

function subscriber(name: string) {
  @handlesMessage(OrderPlaced)
  class Subscriber implements IMessageHandler<OrderPlaced> {
    handle(ctx: IHandlerContext<OrderPlaced>): void {
      received.set(name, [...(received.get(name) ?? []), ctx.transportMessage.messageId]);
    }
  }
  return Subscriber;
}

describe('scenario: a publish to three subscribers whose flush stops after the first still reaches all three', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('settles one stored row per subscriber: the redelivered copy sends the two still owed, under the same messageId', async () => {
    const names = ['pf-billing', 'pf-shipping', 'pf-audit'];
    const subscribers = names.map((name) => world.endpoint(name, { handlers: [subscriber(name)], subscriptions: [OrderPlaced], idempotence: true }));
    for (const s of subscribers) await s.bus.start();
    // The flush stops right after the first subscriber's copy is sent and its row deleted (a crash, a broker error).
    const stop = new FaultInjectionModule([{ pipeline: 'flush', event: 'onAfterDeferredMessageSent', action: 'throw' }]);
    const sales = world.endpoint('pf-sales', { handlers: [PlaceOrderHandler], idempotence: true }, [stop]);
    await sales.bus.start();

    const flushed = waitForEvents(sales.bus.events, 'messageFlushed');
    const all = subscribers.map((s) => waitForEvents(s.bus.events, 'messageHandled'));
    await sales.bus.send(new PlaceOrder('p1'), { local: true });
    await flushed;
    await Promise.all(all);

    expect(publisherRuns, 'the publishing handler ran once').to.equal(1);
    const ids = names.map((n) => received.get(n) ?? []);
    expect(ids.map((l) => l.length), 'each subscriber handled the event once').to.deep.equal([1, 1, 1]);
    expect(new Set(ids.flat()).size, 'one messageId for every copy').to.equal(1);
  });
});
