import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MessageDeserializationError, MessageTooLargeError } from '../errors/errors.js';
import type { ICompressionAlgorithm } from './compression.js';

/**
 * gzip through node:zlib; sync because bodies are small and the async API costs more than it saves.
 * Inflation is bounded (zlib's maxOutputLength stops it as the output passes the limit), so a few hundred
 * KiB of gzip cannot make the endpoint hold the gigabytes they stand for.
 */
export class GzipCompression implements ICompressionAlgorithm {
  readonly name = 'gzip';

  compress(data: Uint8Array): Uint8Array {
    return gzipSync(data);
  }

  decompress(data: Uint8Array, maxOutputLength: number): Uint8Array {
    let out: Buffer;
    try {
      // zlib takes 1..kMaxLength: a limit below 1 is enforced below.
      out = gunzipSync(data, { maxOutputLength: Math.min(Math.max(maxOutputLength, 1), bufferConstants.MAX_LENGTH) });
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxOutputLength, cause);
      throw new MessageDeserializationError(`body is not valid gzip: ${(cause as Error).message}`, { cause });
    }
    if (out.byteLength > maxOutputLength) throw tooLarge(maxOutputLength);
    return out;
  }
}

function tooLarge(limit: number, cause?: unknown): MessageTooLargeError {
  return new MessageTooLargeError(`decompressed body is larger than ${limit} bytes (maxMessageSize)`, cause === undefined ? {} : { cause });
}
