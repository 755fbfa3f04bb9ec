import { handlesMessage, type IHandlerContext, type IMessageHandler, type MemoryTransaction } from '../../src/index.js';
import { OrderPlaced, PlaceOrder } from './messages.js';
import type { Narrator } from './narrator.js';

/** The sales endpoint's handler: records the order in the unit of work and announces it. */
@handlesMessage(PlaceOrder)
export class PlaceOrderHandler implements IMessageHandler<PlaceOrder, MemoryTransaction> {
  static narrator: Narrator;
  static orders: string[] = [];

  async handle(ctx: IHandlerContext<PlaceOrder, MemoryTransaction>): Promise<void> {
    const { orderId, amount } = ctx.message;
    PlaceOrderHandler.narrator.say('sales', `handling PlaceOrder ${orderId} (attempt ${ctx.transportMessage.failureMessages.length + 1})`);
    if (amount < 0) throw new Error(`order ${orderId} has a negative amount`);
    // The effect commits with the idempotence bookkeeping, or not at all.
    ctx.transaction.onCommit(() => PlaceOrderHandler.orders.push(orderId));
    // Held back until the unit of work commits, then flushed.
    await ctx.publish(new OrderPlaced(orderId, amount));
  }
}

@handlesMessage(OrderPlaced)
export class BillingHandler implements IMessageHandler<OrderPlaced> {
  static narrator: Narrator;
  handle(ctx: IHandlerContext<OrderPlaced>): void {
    BillingHandler.narrator.say('billing', `invoices order ${ctx.message.orderId} for ${ctx.message.amount}`);
  }
}

@handlesMessage(OrderPlaced)
export class WarehouseHandler implements IMessageHandler<OrderPlaced> {
  static narrator: Narrator;
  handle(ctx: IHandlerContext<OrderPlaced>): void {
    WarehouseHandler.narrator.say('warehouse', `reserves stock for order ${ctx.message.orderId}`);
  }
}
