import { MessageDeserializationError } from '../errors/errors.js';

/**
 * Keys a received body may not hold, at any depth: `__proto__` replaces an object's prototype wherever
 * the object is later assigned or merged (Object.assign, a deep merge), and `constructor` and `prototype`
 * lead such a merge to Object.prototype itself. No message needs them, so they are refused, not dropped:
 * the sender learns why from the error queue instead of a handler seeing a message it did not send.
 */
export function isPrototypeKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

export function prototypeKeyError(key: string): MessageDeserializationError {
  return new MessageDeserializationError(`the body has a key '${key}', which could replace an object's prototype or class`, {
    hint: `rename the field: oncebus refuses '__proto__', 'constructor' and 'prototype' anywhere in a body`,
  });
}
