import { ConfigurationError, InvalidMessageError, MessageDeserializationError, UnknownMessageTypeError } from '../errors/errors.js';
import { type MessageClass, messageTypeNameOf } from './message-type.js';

/**
 * Maps stable names to classes and back, for one endpoint. Filled at start from the handlers, routes and
 * `messageTypes` option; read on every message (two Map lookups, no reflection).
 */
export class MessageTypeRegistry {
  private readonly byName = new Map<string, MessageClass>();
  private readonly byClass = new Map<MessageClass, string>();

  register(type: MessageClass, setting = 'messageTypes'): string {
    const name = messageTypeNameOf(type);
    if (name === undefined) {
      throw new ConfigurationError(setting, `class ${type.name || '(anonymous)'} has no message type name`, {
        hint: "decorate it with @messageType('a.stable.Name') or give it a static messageType member",
      });
    }
    const existing = this.byName.get(name);
    if (existing && existing !== type) {
      throw new ConfigurationError(setting, `two classes are registered as message type '${name}'`);
    }
    this.byName.set(name, type);
    this.byClass.set(type, name);
    return name;
  }

  /** The name of an instance's class; registers the class on first use so `send` of a decorated class just works. */
  nameOfInstance(message: unknown): string {
    if (typeof message !== 'object' || message === null) throw new InvalidMessageError(message === null ? 'null' : typeof message === 'undefined' ? 'undefined' : `a ${typeof message}`);
    if (Array.isArray(message)) throw new InvalidMessageError('a list');
    const type = message.constructor as MessageClass | undefined;
    if (type === Object || type === undefined) throw new InvalidMessageError('a plain object');
    return this.byClass.get(type) ?? this.register(type, 'send');
  }

  classOf(name: string, messageId?: string): MessageClass {
    const type = this.byName.get(name);
    if (!type) throw new UnknownMessageTypeError(name, { messageId });
    return type;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }
}

/**
 * Turns a deserialized plain value back into an instance of its class without calling the constructor
 * (which may require arguments). A class may take over with a static `fromJSON(value)`. Without one, the
 * value must be an object: `null`, a number or a list would become an instance with default fields only.
 */
export function materialize(type: MessageClass, value: unknown): object {
  const custom = (type as unknown as { fromJSON?: (v: unknown) => object }).fromJSON;
  if (typeof custom === 'function') return custom.call(type, value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    throw new MessageDeserializationError(`the body is ${what}, not a JSON object`, {
      hint: 'a message body is the JSON object of the message; give the class a static fromJSON(value) to read another shape',
    });
  }
  return Object.assign(Object.create(type.prototype as object) as object, value);
}
