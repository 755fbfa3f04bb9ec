import { MessageDeserializationError, OncebusError } from '../errors/errors.js';
import type { ISerializer } from './serializer.js';
import { parseTagged, stringifyTagged } from './tagged-json.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 JSON, the default body format; Dates, bigints, Sets and Maps travel tagged and come back as
 * themselves (tagged-json.ts). Bad UTF-8 or bad JSON is a MessageDeserializationError with the reason.
 */
export class JsonSerializer implements ISerializer {
  readonly contentType = 'application/json';

  serialize(value: unknown): Uint8Array {
    return Buffer.from(stringifyTagged(value), 'utf8');
  }

  deserialize(bytes: Uint8Array): unknown {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch (cause) {
      throw new MessageDeserializationError('body is not valid UTF-8', { cause });
    }
    try {
      return parseTagged(text);
    } catch (cause) {
      if (OncebusError.is(cause)) throw cause;
      throw new MessageDeserializationError(`body is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
}
