import { ConfigurationError, InvalidMessageError, MessageDeserializationError, UnknownMessageTypeError } from '../errors/errors.js';
import { isPrototypeKey, prototypeKeyError } from '../serialization/prototype-keys.js';
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
 * The body's own fields become the instance's own data fields, and nothing else: a field that would replace
 * the prototype (`__proto__`) or shadow one of the class's methods or accessors (a getter answering what the
 * sender chose) is refused, so the handler always gets a true instance whose behaviour is its class's.
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
  const instance = Object.create(type.prototype as object) as Record<string, unknown>;
  const behaviour = behaviourOf(type);
  const fields = value as Record<string, unknown>;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    if (isPrototypeKey(key)) throw prototypeKeyError(key);
    if (behaviour.has(key)) {
      throw new MessageDeserializationError(`the body's field '${key}' would shadow a method or accessor of ${type.name || 'the message class'}`, {
        hint: 'a body carries data only; rename the field, or give the class a static fromJSON(value)',
      });
    }
    // Neither a setter nor the prototype can be reached from here: both were refused above.
    instance[key] = fields[key];
  }
  return instance;
}

const behaviours = new WeakMap<MessageClass, ReadonlySet<string>>();

/** The names of a class's methods and accessors, Object.prototype's included; worked out once per class. */
function behaviourOf(type: MessageClass): ReadonlySet<string> {
  let names = behaviours.get(type);
  if (names) return names;
  const found = new Set<string>();
  for (let proto: object | null = type.prototype as object; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      if (d.get || d.set || typeof d.value === 'function') found.add(name);
    }
  }
  names = found;
  behaviours.set(type, names);
  return names;
}
