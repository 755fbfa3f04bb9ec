import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { MemoryTransaction } from '../../src/idempotence/memory/index.js';
import { messageType } from '../../src/messages/message-type.js';
import { TestHarness } from '../../src/testing/index.js';

@messageType('harness.PlaceOrder')
class PlaceOrder {
  constructor(public orderId = '') {}
}
@messageType('harness.OrderPlaced')
class OrderPlaced {
  constructor(public orderId = '') {}
}

const orders: string[] = [];
const invoices: string[] = [];
const shipments: string[] = [];

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder, MemoryTransaction> {
  async handle(ctx: IHandlerContext<PlaceOrder, MemoryTransaction>): Promise<void> {
    if (ctx.message.orderId === 'bad') throw new Error('bad order');
    ctx.transaction.onCommit(() => orders.push(ctx.message.orderId));
    await ctx.publish(new OrderPlaced(ctx.message.orderId));
  }
}
@handlesMessage(OrderPlaced)
class Billing implements IMessageHandler<OrderPlaced, MemoryTransaction> {
  handle(ctx: IHandlerContext<OrderPlaced, MemoryTransaction>): void {
    ctx.transaction.onCommit(() => invoices.push(ctx.message.orderId));
  }
}
@handlesMessage(OrderPlaced)
class Shipping implements IMessageHandler<OrderPlaced, MemoryTransaction> {
  async handle(ctx: IHandlerContext<OrderPlaced, MemoryTransaction>): Promise<void> {
    await new Promise((r) => setTimeout(r, 30)); // slower: settled() must wait for it
    ctx.transaction.onCommit(() => shipments.push(ctx.message.orderId));
  }
}

describe('oncebus/testing: TestHarness runs several endpoints and knows when everything has settled', () => {
  const harness = new TestHarness();
  after(() => harness.stop());

  it('a send, a publish to two subscribers, a duplicate and a poison message: settled() waits for all of it', async () => {
    const sales = harness.endpoint('sales', { handlers: [PlaceOrderHandler], idempotence: true, inbox: { maximumFailureCount: 2 } });
    harness.endpoint('billing', { handlers: [Billing], idempotence: true, subscriptions: [OrderPlaced] });
    harness.endpoint('shipping', { handlers: [Shipping], idempotence: true, subscriptions: [OrderPlaced] });
    await harness.start();

    const sent = await sales.send(new PlaceOrder('A-1'), { local: true, messageId: 'order-A-1' });
    await sales.send(new PlaceOrder('A-1'), { local: true, messageId: 'order-A-1' }); // the same message again
    await sales.send(new PlaceOrder('bad'), { local: true });
    await harness.settled();

    expect([orders, invoices, shipments]).to.deep.equal([['A-1'], ['A-1'], ['A-1']]);
    expect(harness.pending()).to.deep.equal([]);
    const steps = harness.flow.filter((s) => s.messageId === sent.messageId).map((s) => `${s.endpoint} ${s.event}`);
    expect(steps).to.include.members(['sales dispatched', 'sales handled', 'sales ignored']);
    const published = harness.flow.filter((s) => s.event === 'dispatched' && s.messageType === 'harness.OrderPlaced').map((s) => s.to);
    expect(published).to.have.members(['memory://billing', 'memory://shipping']);
    expect(harness.errorQueue('sales').map((tm) => [tm.messageType, tm.failureMessages.length])).to.deep.equal([['harness.PlaceOrder', 2]]);
  });

  it('settled() rejects with what is still pending when it cannot settle in time', async () => {
    const stuck = new TestHarness();
    await stuck.broker.create('memory://nobody-reads-this').enqueue({ messageId: 'x' } as never, new Uint8Array([1]));
    const error = await stuck.settled({ timeoutMs: 50 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.equal('the harness did not settle: 1 ready on nobody-reads-this');
  });
});
