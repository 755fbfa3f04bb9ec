import { isPrototypeKey, prototypeKeyError } from './prototype-keys.js';

/**
 * JSON for message bodies that keeps the values plain JSON loses: a Date (which JSON turns into a string),
 * a bigint (which JSON refuses), a Set or a Map (which JSON turns into `{}`). Each travels as a tagged
 * object, `{"$oncebus":"Date","value":"2026-12-03T07:00:00.000Z"}`, and comes back as itself (see
 * docs/wire-format.md). A body without such values is plain JSON, byte for byte.
 */
const TAG = '$oncebus';

type Tagged = { [TAG]: 'Date' | 'BigInt' | 'Set' | 'Map'; value: unknown };

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key]; // before Date's toJSON ran
  if (raw instanceof Date) return { [TAG]: 'Date', value: Number.isNaN(raw.getTime()) ? null : raw.toISOString() };
  if (typeof value === 'bigint') return { [TAG]: 'BigInt', value: value.toString() };
  if (value instanceof Set) return { [TAG]: 'Set', value: [...value] };
  if (value instanceof Map) return { [TAG]: 'Map', value: [...value.entries()] };
  return value;
}

function isTagged(value: unknown): value is Tagged {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, TAG)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('value');
}

function reviver(key: string, value: unknown): unknown {
  if (isPrototypeKey(key)) throw prototypeKeyError(key);
  if (!isTagged(value)) return value;
  switch (value[TAG]) {
    case 'Date':
      return new Date(value.value === null ? Number.NaN : String(value.value));
    case 'BigInt':
      return BigInt(String(value.value));
    case 'Set':
      return new Set(value.value as unknown[]);
    case 'Map':
      return new Map(value.value as [unknown, unknown][]);
    default:
      return value;
  }
}

export function stringifyTagged(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/**
 * What sends a body through the reviver: a tag, a key it must refuse (prototype-keys.ts), or an escape,
 * which could spell either (`"\u005f_proto__"`). One scan, about what looking for the tag alone costs.
 */
const NEEDS_REVIVER = /"\$oncebus"|__proto__|constructor|prototype|\\u/;

/** Parses a body; a key that could replace a prototype, at any depth, is a MessageDeserializationError. */
export function parseTagged(text: string): unknown {
  // Most bodies carry none of that: parse them without a reviver, which is several times faster.
  return NEEDS_REVIVER.test(text) ? JSON.parse(text, reviver) : JSON.parse(text);
}
