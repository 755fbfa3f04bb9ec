import { handlesMessage, type IHandlerContext, type IMessageHandler } from '../../src/index.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { CancelOrder, ReleaseStock, ShipOrder } from './messages.js';
import type { Narrator } from './narrator.js';

type Tx = SqliteTransaction;

// The endpoints the saga commands. Each records what it did in the message's unit of work (no unique keys:
// a command carried out twice would show as two rows, which the demo's audit and its test look for).

@handlesMessage(ShipOrder)
export class ShipOrderHandler implements IMessageHandler<ShipOrder, Tx> {
  static narrator: Narrator;
  handle(ctx: IHandlerContext<ShipOrder, Tx>): void {
    ctx.transaction.prepare('INSERT INTO shipments (order_id) VALUES (?)').run(ctx.message.orderId);
    ShipOrderHandler.narrator.say('warehouse', `ships order ${ctx.message.orderId}`);
  }
}

@handlesMessage(ReleaseStock)
export class ReleaseStockHandler implements IMessageHandler<ReleaseStock, Tx> {
  static narrator: Narrator;
  handle(ctx: IHandlerContext<ReleaseStock, Tx>): void {
    ctx.transaction.prepare('INSERT INTO releases (order_id) VALUES (?)').run(ctx.message.orderId);
    ReleaseStockHandler.narrator.say('warehouse', `puts the stock reserved for ${ctx.message.orderId} back on the shelf`);
  }
}

@handlesMessage(CancelOrder)
export class CancelOrderHandler implements IMessageHandler<CancelOrder, Tx> {
  static narrator: Narrator;
  handle(ctx: IHandlerContext<CancelOrder, Tx>): void {
    ctx.transaction.prepare('INSERT INTO cancellations (order_id, reason) VALUES (?, ?)').run(ctx.message.orderId, ctx.message.reason);
    CancelOrderHandler.narrator.say('sales', `cancels order ${ctx.message.orderId}: ${ctx.message.reason}`);
  }
}
