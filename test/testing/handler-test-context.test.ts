import { expect } from 'chai';
import Database from 'better-sqlite3';
import { Narrator } from '../../samples/quickstart/narrator.js';
import { PlaceOrderHandler } from '../../samples/quickstart/handlers.js';
import { OrderPlaced, PlaceOrder } from '../../samples/quickstart/messages.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { HandlerTestContext } from '../../src/testing/index.js';

// The quickstart's sales handler, unit-tested as a user would test their own: a real SQLite database as
// the transaction, the context recording what the handler publishes.
describe('oncebus/testing: HandlerTestContext (the quickstart sample’s PlaceOrderHandler)', () => {
  let db: SqliteTransaction;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE orders (order_id TEXT NOT NULL, amount INTEGER NOT NULL)');
    PlaceOrderHandler.narrator = Object.assign(new Narrator(), { say: () => undefined });
  });

  it('records the order in the transaction and publishes OrderPlaced, with the envelope it would have had', async () => {
    const ctx = new HandlerTestContext(new PlaceOrder('A-1', 25), { transaction: db, transportMessage: { messageId: 'in-1', correlationId: 'c-9' } });
    await new PlaceOrderHandler().handle(ctx);
    expect(db.prepare('SELECT order_id, amount FROM orders').all()).to.deep.equal([{ order_id: 'A-1', amount: 25 }]);
    expect(ctx.published.map((p) => p.message)).to.deep.equal([new OrderPlaced('A-1', 25)]);
    expect(ctx.published[0]!.transportMessage).to.include({ messageType: 'shop.OrderPlaced', messageReceivedId: 'in-1', correlationId: 'c-9' });
    expect(ctx.sent).to.deep.equal([]);
    expect(ctx.replied).to.deep.equal([]);
  });

  it('lets the handler throw for a bad order, having sent nothing', async () => {
    const ctx = new HandlerTestContext(new PlaceOrder('B-1', -1), { transaction: db });
    let error: unknown;
    await new PlaceOrderHandler().handle(ctx).catch((e: unknown) => {
      error = e;
    });
    expect((error as Error).message).to.equal('order B-1 has a negative amount');
    expect(ctx.all).to.deep.equal([]);
    expect(ctx.failureHandling).to.equal('retry');
  });

  it('keeps sends, publishes and replies in the order the handler made them, with chosen ids', async () => {
    const ctx = new HandlerTestContext(new PlaceOrder('C-1', 1), { transportMessage: { senderInboxWorkQueueUri: 'memory://client' } });
    await ctx.reply(new OrderPlaced('C-1', 1));
    await ctx.send(new PlaceOrder('C-2', 2), { messageId: 'order-C-2', recipient: 'memory://sales' });
    await ctx.publish(new OrderPlaced('C-2', 2));
    expect(ctx.all.map((m) => [m.transportMessage.messageType, m.transportMessage.recipientInboxWorkQueueUri])).to.deep.equal([
      ['shop.OrderPlaced', 'memory://client'],
      ['shop.PlaceOrder', 'memory://sales'],
      ['shop.OrderPlaced', ''],
    ]);
    expect(ctx.sent[0]!.transportMessage.messageId).to.equal('order-C-2');
  });
});
