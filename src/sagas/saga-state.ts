import { StoreError } from '../errors/errors.js';
import type { ISerializer } from '../serialization/serializer.js';

/** What a stored instance's `state` bytes hold: the user's data and the saga's own bookkeeping. */
interface StateDocument {
  readonly data: object;
  readonly timeouts: Record<string, string>;
}

/** The endpoint's serializer writes the state (the tagged JSON one by default: Date, bigint, Map, Set survive). */
export function encodeSagaState(serializer: ISerializer, data: object, timeouts: Record<string, string>): Uint8Array {
  return serializer.serialize({ data, timeouts } satisfies StateDocument);
}

/** Reads stored state back, the data restored onto a `new DataClass()` so its methods and defaults are there. */
export function decodeSagaState(serializer: ISerializer, bytes: Uint8Array, dataClass: new () => object, sagaType: string, instanceId: string): { data: object; timeouts: Record<string, string> } {
  const doc = serializer.deserialize(bytes) as Partial<StateDocument> | null;
  const timeouts = doc?.timeouts;
  if (typeof doc !== 'object' || doc === null || typeof doc.data !== 'object' || doc.data === null || typeof timeouts !== 'object' || timeouts === null) {
    throw new StoreError(`saga '${sagaType}' instance ${instanceId}: its stored state is not one this saga wrote`);
  }
  const own: Record<string, string> = Object.create(null);
  for (const [name, token] of Object.entries(timeouts)) if (typeof token === 'string') own[name] = token;
  return { data: Object.assign(new dataClass(), doc.data), timeouts: own };
}
