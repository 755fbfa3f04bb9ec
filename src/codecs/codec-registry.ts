import { ConfigurationError, MessageDeserializationError, MessageTooLargeError } from '../errors/errors.js';
import type { ICompressionAlgorithm } from './compression.js';
import type { IEncryptionAlgorithm } from './encryption.js';
import { GzipCompression } from './gzip-compression.js';

/**
 * Compression and encryption algorithms by name. On receive an unknown name is a property of the
 * message (MessageDeserializationError → error queue); at start it is a configuration mistake, so
 * pass the setting's name and get a ConfigurationError instead. gzip is always registered.
 */
export class CodecRegistry {
  private readonly compressions = new Map<string, ICompressionAlgorithm>();
  private readonly encryptions = new Map<string, IEncryptionAlgorithm>();

  constructor(algorithms: readonly (ICompressionAlgorithm | IEncryptionAlgorithm)[] = []) {
    this.registerCompression(new GzipCompression());
    for (const a of algorithms) {
      if ('compress' in a) this.registerCompression(a);
      else this.registerEncryption(a);
    }
  }

  registerCompression(algorithm: ICompressionAlgorithm): this {
    this.compressions.set(algorithm.name, algorithm);
    return this;
  }

  registerEncryption(algorithm: IEncryptionAlgorithm): this {
    this.encryptions.set(algorithm.name, algorithm);
    return this;
  }

  compression(name: string, setting?: string): ICompressionAlgorithm {
    const a = this.compressions.get(name);
    if (!a) throw unknown('compression', name, setting);
    return a;
  }

  /**
   * Decompresses a received body with the algorithm its envelope names, within `maxLength` bytes in and
   * out (MessageTooLargeError past it). The output is checked again here: a registered algorithm that
   * ignores its limit still cannot hand the endpoint more.
   */
  decompress(name: string, data: Uint8Array, maxLength: number): Uint8Array {
    const algorithm = this.compression(name);
    if (data.byteLength > maxLength) throw new MessageTooLargeError(`compressed body is ${data.byteLength} bytes, larger than ${maxLength} bytes (maxMessageSize)`);
    const out = algorithm.decompress(data, maxLength);
    if (out.byteLength > maxLength) throw new MessageTooLargeError(`decompressed body is larger than ${maxLength} bytes (maxMessageSize)`);
    return out;
  }

  encryption(name: string, setting?: string): IEncryptionAlgorithm {
    const a = this.encryptions.get(name);
    if (!a) throw unknown('encryption', name, setting);
    return a;
  }
}

function unknown(kind: string, name: string, setting: string | undefined): Error {
  return setting
    ? new ConfigurationError(setting, `no ${kind} algorithm named '${name}' is registered`)
    : new MessageDeserializationError(`the message names ${kind} algorithm '${name}', which is not registered here`);
}
