import { expect } from 'chai';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';

const seen: IHandlerContext<PlaceOrder>[] = [];
const shipped: IHandlerContext<ShipOrder>[] = [];

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder> {
  async handle(context: IHandlerContext<PlaceOrder>): Promise<void> {
    seen.push(context);
    await context.send(new ShipOrder(context.message.orderId), { headers: { step: 'ship' } });
  }
}

@handlesMessage(ShipOrder)
class ShipOrderHandler implements IMessageHandler<ShipOrder> {
  handle(context: IHandlerContext<ShipOrder>): void {
    shipped.push(context);
  }
}

describe('scenario: a sent message is handled, and what its handler sends carries causation, correlation and headers', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('delivers an instance of the class with its fields, and propagates envelope context to follow-up sends', async () => {
    const sales = world.endpoint('sales', { handlers: [PlaceOrderHandler], routes: [{ uri: 'memory://shipping', specifications: [{ types: [ShipOrder] }] }] });
    const shipping = world.endpoint('shipping', { handlers: [ShipOrderHandler] });
    await sales.bus.start();
    await shipping.bus.start();

    const done = waitForEvents(shipping.bus.events, 'messageHandled');
    const sent = await sales.bus.send(new PlaceOrder('o-1', 42), { local: true, correlationId: 'corr-1', headers: { tenant: 't1' } });
    await done;

    expect(seen).to.have.length(1);
    const ctx = seen[0]!;
    expect(ctx.message).to.be.instanceOf(PlaceOrder);
    expect(ctx.message).to.deep.include({ orderId: 'o-1', amount: 42 });
    expect(ctx.transportMessage.messageId).to.equal(sent.messageId);
    expect(ctx.transportMessage.messageType).to.equal('test.PlaceOrder');
    expect(ctx.transportMessage.recipientInboxWorkQueueUri).to.equal('memory://sales');
    expect(ctx.transaction, 'no transaction with idempotence off').to.equal(undefined);

    expect(shipped).to.have.length(1);
    const ship = shipped[0]!.transportMessage;
    expect(shipped[0]!.message).to.be.instanceOf(ShipOrder);
    expect(ship.messageReceivedId, 'causation').to.equal(sent.messageId);
    expect(ship.correlationId).to.equal('corr-1');
    expect(ship.headers).to.deep.equal({ tenant: 't1', step: 'ship' });
    expect(ship.senderInboxWorkQueueUri).to.equal('memory://sales');
    expect(ship.messageId).to.not.equal(sent.messageId);
    expect(world.messagesIn('sales')).to.have.length(0);
    expect(world.messagesIn('sales-error')).to.have.length(0);
  });
});
