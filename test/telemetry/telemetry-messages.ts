import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { ILogger } from '../../src/logging/logger.js';
import { messageType } from '../../src/messages/message-type.js';

// The telemetry suites' messages: an order whose handler publishes an event two subscribers record.
@messageType('telemetry.PlaceOrder')
export class PlaceOrder {
  constructor(public orderId = '') {}
}

@messageType('telemetry.OrderPlaced')
export class OrderPlaced {
  constructor(public orderId = '') {}
}

/** Where PlaceOrderHandler logs, when a test sets it. */
export const handlerLog: { current: ILogger | null } = { current: null };

/** Publishes OrderPlaced; an order named 'bad' fails. */
@handlesMessage(PlaceOrder)
export class PlaceOrderHandler implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    handlerLog.current?.info('placing order', { orderId: ctx.message.orderId });
    if (ctx.message.orderId === 'bad') throw new Error('bad order');
    await ctx.publish(new OrderPlaced(ctx.message.orderId));
  }
}

@handlesMessage(OrderPlaced)
export class Recorder implements IMessageHandler<OrderPlaced> {
  handle(): void {}
}
