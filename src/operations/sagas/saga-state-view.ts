import { maskSecrets } from '../../secrets/mask-secrets.js';
import { parseTagged } from '../../serialization/tagged-json.js';
import type { SagaInstanceRecord, SagaInstanceRow } from './saga-instances.js';

// What the operations tools show of a saga instance (the CLI, the dashboard). Its type and correlation id
// come from messages, its state from what handlers put there: every text is masked and bounded, and the
// state is decoded only when it is small enough.

/** States larger than this are not read for a view (their size is shown). */
export const MAX_SHOWN_STATE_BYTES = 1024 * 1024;
/** The decoded state as shown: at most this many characters (cut, saying so). */
const STATE_CHARS = 256 * 1024;
const NAME_CHARS = 1024;
/** Bad UTF-8 is an error (not replacement characters): such a state was not written as JSON. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Levels of nesting shown (deeper ones are summarised): the view recurses, an attacker's state need not. */
const MAX_DEPTH = 32;

/** A listed instance, its type and correlation id masked and bounded. */
export function shownSagaRow(r: SagaInstanceRow): SagaInstanceRow {
  return { ...r, sagaType: maskSecrets(r.sagaType, NAME_CHARS), correlationId: maskSecrets(r.correlationId, NAME_CHARS), instanceId: maskSecrets(r.instanceId, NAME_CHARS) };
}

/** How an instance's state is shown: the decoded value (JSON), as text, or not at all, and why. */
export interface SagaStateView {
  readonly kind: 'json' | 'undecoded' | 'too-large';
  /** The state as indented JSON (masked, bounded), or empty. */
  readonly text: string;
  readonly bytes: number;
  readonly note: string | null;
}

/** A tagged value as plain JSON: a Date as its ISO string, a bigint as its digits, a Set as an array, a Map as an object (or its entries when a key is not a string). */
function plain(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '… (nested deeper: not shown)';
  const inner = (v: unknown) => plain(v, depth + 1);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Set) return [...value].map(inner);
  if (value instanceof Map) {
    const entries = [...value.entries()];
    return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries.map(([k, v]) => [k, inner(v)])) : entries.map(([k, v]) => [inner(k), inner(v)]);
  }
  if (Array.isArray(value)) return value.map(inner);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inner(v)]));
  return value;
}

/** The state decoded with the tagged JSON serializer (Date, bigint, Set, Map), indented, masked and bounded. */
export function sagaStateView(record: SagaInstanceRecord): SagaStateView {
  const bytes = record.stateBytes;
  if (record.state === null) return { kind: 'too-large', text: '', bytes, note: `${bytes} bytes: too large to show here (over ${MAX_SHOWN_STATE_BYTES})` };
  let decoded: unknown;
  try {
    decoded = parseTagged(UTF8.decode(record.state));
  } catch (error) {
    const why = maskSecrets(error instanceof Error ? error.message : String(error), NAME_CHARS);
    return { kind: 'undecoded', text: '', bytes, note: `not tagged JSON (${why}): the endpoint may use another serializer` };
  }
  return { kind: 'json', text: maskSecrets(JSON.stringify(plain(decoded), null, 2), STATE_CHARS), bytes, note: null };
}
