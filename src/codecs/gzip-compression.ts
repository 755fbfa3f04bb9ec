import { gunzipSync, gzipSync } from 'node:zlib';
import { MessageDeserializationError } from '../errors/errors.js';
import type { ICompressionAlgorithm } from './compression.js';

/** gzip through node:zlib; sync because bodies are small and the async API costs more than it saves. */
export class GzipCompression implements ICompressionAlgorithm {
  readonly name = 'gzip';

  compress(data: Uint8Array): Uint8Array {
    return gzipSync(data);
  }

  decompress(data: Uint8Array): Uint8Array {
    try {
      return gunzipSync(data);
    } catch (cause) {
      throw new MessageDeserializationError(`body is not valid gzip: ${(cause as Error).message}`, { cause });
    }
  }
}
