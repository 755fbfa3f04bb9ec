import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { OrderPlaced, Ping } from '../support/messages.js';

const received: { endpoint: string; messageId: string }[] = [];

@handlesMessage(OrderPlaced)
class BillingHandler implements IMessageHandler<OrderPlaced> {
  handle(ctx: IHandlerContext<OrderPlaced>): void {
    received.push({ endpoint: 'billing', messageId: ctx.transportMessage.messageId });
  }
}

@handlesMessage(OrderPlaced)
class WarehouseHandler implements IMessageHandler<OrderPlaced> {
  handle(ctx: IHandlerContext<OrderPlaced>): void {
    received.push({ endpoint: 'warehouse', messageId: ctx.transportMessage.messageId });
  }
}

describe('scenario: a published event reaches every subscriber under one messageId', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('fans out to both subscribed endpoints, each handling its own copy once', async () => {
    const sales = world.endpoint('pub-sales');
    const billing = world.endpoint('pub-billing', { handlers: [BillingHandler], subscriptions: [OrderPlaced] });
    const warehouse = world.endpoint('pub-warehouse', { handlers: [WarehouseHandler], subscriptions: [OrderPlaced] });
    await billing.bus.start();
    await warehouse.bus.start();
    await sales.bus.start();

    const b = waitForEvents(billing.bus.events, 'messageHandled');
    const w = waitForEvents(warehouse.bus.events, 'messageHandled');
    const copies = await sales.bus.publish(new OrderPlaced('o-7'));
    await Promise.all([b, w]);

    expect(copies.map((c) => c.recipientInboxWorkQueueUri).sort()).to.deep.equal(['memory://pub-billing', 'memory://pub-warehouse']);
    expect(new Set(copies.map((c) => c.messageId)).size).to.equal(1);
    expect(received.map((r) => r.endpoint).sort()).to.deep.equal(['billing', 'warehouse']);
    expect(received.every((r) => r.messageId === copies[0]!.messageId)).to.equal(true);
  });

  it('publishing a type nobody subscribes to dispatches nothing and is not an error', async () => {
    const lonely = world.endpoint('pub-lonely');
    await lonely.bus.start();
    const copies = await lonely.bus.publish(new Ping(1));
    expect(copies).to.have.length(0);
  });
});
