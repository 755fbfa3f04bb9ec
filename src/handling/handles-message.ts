import type { MessageClass } from '../messages/message-type.js';
import type { IMessageHandler } from './message-handler.js';

const HANDLES = Symbol.for('oncebus.handles');

/** A handler class; its constructor parameters are the container's business. */
// biome-ignore lint/suspicious/noExplicitAny: handlers of any message and transaction type, any constructor.
export type HandlerClass = new (...args: any[]) => IMessageHandler<any, any>;

/** Declares the message type a handler class handles: `@handlesMessage(PlaceOrder) class PlaceOrderHandler …`. */
export function handlesMessage(type: MessageClass) {
  return (target: HandlerClass): void => {
    Object.defineProperty(target, HANDLES, { value: type, enumerable: false });
  };
}

export function handledMessageTypeOf(handler: HandlerClass): MessageClass | undefined {
  return Object.hasOwn(handler, HANDLES) ? (handler as unknown as Record<symbol, MessageClass>)[HANDLES] : undefined;
}
