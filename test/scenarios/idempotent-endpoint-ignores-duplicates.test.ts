import { expect } from 'chai';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { MemoryTransaction } from '../../src/idempotence/memory/index.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';

const effects: string[] = [];
const shipped: string[] = [];

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder, MemoryTransaction> {
  async handle(ctx: IHandlerContext<PlaceOrder, MemoryTransaction>): Promise<void> {
    ctx.transaction.onCommit(() => effects.push(ctx.message.orderId));
    await ctx.send(new ShipOrder(ctx.message.orderId));
  }
}

@handlesMessage(ShipOrder)
class ShipHandler implements IMessageHandler<ShipOrder> {
  handle(ctx: IHandlerContext<ShipOrder>): void {
    shipped.push(ctx.transportMessage.messageId);
  }
}

describe('scenario: with idempotence on, a redelivered duplicate is acknowledged without running the handler again', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('runs the handler once for two copies of one messageId, and its send goes out once', async () => {
    const routes = [{ uri: 'memory://dup-shipping', specifications: [{ types: [ShipOrder] }] }];
    const sales = world.endpoint('dup-sales', { handlers: [PlaceOrderHandler], idempotence: true, routes });
    const shipping = world.endpoint('dup-shipping', { handlers: [ShipHandler] });
    await sales.bus.start();
    await shipping.bus.start();

    const handled = waitForEvents(sales.bus.events, 'messageHandled');
    const shippedOnce = waitForEvents(shipping.bus.events, 'messageHandled');
    const sent = await sales.bus.send(new PlaceOrder('dup-1'), { local: true });
    await handled;
    await shippedOnce;
    // The broker redelivers the very same bytes: a second copy with the same messageId.
    const ignored = waitForEvents(sales.bus.events, 'messageIgnored');
    await world.broker.create('memory://dup-sales').enqueue(sent, serializeTransportMessage(sent));
    const [[dup]] = await ignored;

    expect(dup.messageId).to.equal(sent.messageId);
    expect(effects).to.deep.equal(['dup-1']);
    expect(shipped).to.have.length(1);
    expect(world.messagesIn('dup-sales')).to.have.length(0);
    const row = world.idempotence.rows.get(`memory://dup-sales\u0000${sent.messageId}`);
    expect(row?.status).to.equal('completed');
    expect(row?.deferred).to.have.length(0);
  });
});
