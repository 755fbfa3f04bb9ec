import { expect } from 'chai';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { MemoryTransaction } from '../../src/idempotence/memory/index.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';

const effects: string[] = [];
const shippedIds: string[] = [];
let handlerRuns = 0;

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder, MemoryTransaction> {
  async handle(ctx: IHandlerContext<PlaceOrder, MemoryTransaction>): Promise<void> {
    handlerRuns++;
    ctx.transaction.onCommit(() => effects.push(ctx.message.orderId));
    await ctx.send(new ShipOrder(`${ctx.message.orderId}-a`));
    await ctx.send(new ShipOrder(`${ctx.message.orderId}-b`));
  }
}

@handlesMessage(ShipOrder)
class ShipHandler implements IMessageHandler<ShipOrder> {
  handle(ctx: IHandlerContext<ShipOrder>): void {
    shippedIds.push(ctx.transportMessage.messageId);
  }
}

const routes = [{ uri: 'memory://crash-shipping', specifications: [{ types: [ShipOrder] }] }];

describe('scenario: a crash after the commit and before the flush: the redelivered copy skips the handler and flushes', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('commits the effect once; both stored sends go out under their original ids', async () => {
    const crash = new FaultInjectionModule([{ pipeline: 'inbox', event: 'onAfterCommitUnitOfWork', action: 'throw' }]);
    const sales = world.endpoint('crash-sales', { handlers: [PlaceOrderHandler], idempotence: true, routes }, [crash]);
    const shipping = world.endpoint('crash-shipping', { handlers: [ShipHandler] });
    await shipping.bus.start();
    await sales.bus.start();

    const released = waitForEvents(sales.bus.events, 'messageReleased');
    const flushed = waitForEvents(sales.bus.events, 'messageFlushed');
    const shipped = waitForEvents(shipping.bus.events, 'messageHandled', 2);
    const sent = await sales.bus.send(new PlaceOrder('c1'), { local: true });
    await released;
    const [[again]] = await flushed;
    await shipped;

    expect(again.messageId).to.equal(sent.messageId);
    expect(handlerRuns, 'handler ran once').to.equal(1);
    expect(effects).to.deep.equal(['c1']);
    expect(shippedIds).to.have.length(2);
    expect(new Set(shippedIds).size).to.equal(2);
    const row = world.idempotence.rows.get(`memory://crash-sales\u0000${sent.messageId}`);
    expect(row?.status).to.equal('completed');
  });

  it('a crash between two flushed sends re-sends only what was not sent, under the same id', async () => {
    shippedIds.length = 0;
    handlerRuns = 0;
    const crash = new FaultInjectionModule([{ pipeline: 'flush', event: 'onAfterDeferredMessageSent', action: 'throw' }]);
    const sales = world.endpoint('crash2-sales', { handlers: [PlaceOrderHandler], idempotence: true, routes }, [crash]);
    await sales.bus.start();
    const flushed = waitForEvents(sales.bus.events, 'messageFlushed');
    const dispatched: string[] = [];
    sales.bus.events.on('messageDispatched', (tm) => dispatched.push(tm.messageId));
    await sales.bus.send(new PlaceOrder('c2'), { local: true });
    await flushed;
    expect(handlerRuns).to.equal(1);
    // First flush sent 'a' and crashed after deleting it; the second flush sent only 'b'.
    const outgoing = dispatched.slice(1);
    expect(outgoing).to.have.length(2);
    expect(new Set(outgoing).size).to.equal(2);
  });

  it('a crash inside the handler leaves nothing: no effect, no stored or sent message, and the retry handles it', async () => {
    handlerRuns = 0;
    effects.length = 0;
    const crash = new FaultInjectionModule([{ pipeline: 'inbox', event: 'onHandleMessage', action: 'throw' }]);
    const sales = world.endpoint('crash3-sales', { handlers: [PlaceOrderHandler], idempotence: true, routes }, [crash]);
    await sales.bus.start();
    const dispatched: string[] = [];
    sales.bus.events.on('messageDispatched', (tm) => dispatched.push(tm.messageId));
    const released = waitForEvents(sales.bus.events, 'messageReleased');
    const handled = waitForEvents(sales.bus.events, 'messageHandled');
    const sent = await sales.bus.send(new PlaceOrder('c3'), { local: true });
    await released;
    expect(effects, 'rolled back').to.deep.equal([]);
    await handled;
    expect(handlerRuns).to.equal(2);
    expect(effects).to.deep.equal(['c3']);
    expect(dispatched.filter((id) => id !== sent.messageId)).to.have.length(2);
  });
});
