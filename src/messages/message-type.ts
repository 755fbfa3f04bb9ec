import { ConfigurationError } from '../errors/errors.js';

/** A message class: any constructor. Instances are what handlers receive and what `send` takes. */
// biome-ignore lint/suspicious/noExplicitAny: constructor parameters are the user's business.
export type MessageClass<T extends object = object> = abstract new (...args: any[]) => T;

const NAME = Symbol.for('oncebus.messageType');
const VALID_NAME = /^[A-Za-z_][\w.:-]{0,199}$/;

/**
 * Gives a message class its stable wire name. Class names do not survive bundlers and minifiers, so the
 * name is stated, not derived: `@messageType('orders.PlaceOrder') class PlaceOrder { … }`.
 * A static `messageType` string member works too (for code without decorators).
 */
export function messageType(name: string) {
  if (!VALID_NAME.test(name)) {
    throw new ConfigurationError('@messageType', `'${name}' is not a valid message type name (letters, digits, . _ : -)`);
  }
  return (target: MessageClass): void => {
    Object.defineProperty(target, NAME, { value: name, enumerable: false });
  };
}

/** The stable name of a class, or undefined when it has none. */
export function messageTypeNameOf(type: MessageClass): string | undefined {
  if (Object.hasOwn(type, NAME)) return (type as unknown as Record<symbol, string>)[NAME];
  const stat = (type as unknown as { messageType?: unknown }).messageType;
  return typeof stat === 'string' && Object.hasOwn(type, 'messageType') ? stat : undefined;
}
