import { handlesMessage, type IHandlerContext, type IMessageHandler } from '../../src/index.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { OrderPlaced, PlaceOrder } from './messages.js';
import type { Narrator } from './narrator.js';

type Tx = SqliteTransaction;

/**
 * The sales endpoint's handler: records the order through the unit of work's transaction (so it commits
 * with the idempotence bookkeeping, or not at all) and publishes OrderPlaced, which is held back until
 * that commit and then flushed.
 */
@handlesMessage(PlaceOrder)
export class PlaceOrderHandler implements IMessageHandler<PlaceOrder, Tx> {
  static narrator: Narrator;

  async handle(ctx: IHandlerContext<PlaceOrder, Tx>): Promise<void> {
    const { orderId, amount } = ctx.message;
    PlaceOrderHandler.narrator.say('sales', `handling PlaceOrder ${orderId} (attempt ${ctx.transportMessage.failureMessages.length + 1})`);
    if (amount < 0) throw new Error(`order ${orderId} has a negative amount`);
    ctx.transaction.prepare('INSERT INTO orders (order_id, amount) VALUES (?, ?)').run(orderId, amount);
    await ctx.publish(new OrderPlaced(orderId, amount));
  }
}

@handlesMessage(OrderPlaced)
export class BillingHandler implements IMessageHandler<OrderPlaced, Tx> {
  static narrator: Narrator;
  handle(ctx: IHandlerContext<OrderPlaced, Tx>): void {
    ctx.transaction.prepare('INSERT INTO invoices (order_id) VALUES (?)').run(ctx.message.orderId);
    BillingHandler.narrator.say('billing', `invoices order ${ctx.message.orderId} for ${ctx.message.amount}`);
  }
}

@handlesMessage(OrderPlaced)
export class WarehouseHandler implements IMessageHandler<OrderPlaced, Tx> {
  static narrator: Narrator;
  handle(ctx: IHandlerContext<OrderPlaced, Tx>): void {
    ctx.transaction.prepare('INSERT INTO reservations (order_id) VALUES (?)').run(ctx.message.orderId);
    WarehouseHandler.narrator.say('warehouse', `reserves stock for order ${ctx.message.orderId}`);
  }
}
