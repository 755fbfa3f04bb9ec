import type { CodecRegistry } from '../../codecs/codec-registry.js';
import { ENCRYPTION_KEY_ID_HEADER } from '../../codecs/encryption.js';
import { ConfigurationError } from '../../errors/errors.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/** Encrypts the (compressed) body when configured; the key id goes in a header so receivers can rotate keys. */
export class EncryptMessageObserver implements IPipelineObserver<OutgoingMessageState, 'onEncryptMessage'> {
  readonly event = 'onEncryptMessage';

  constructor(
    private readonly codecs: CodecRegistry,
    /** The endpoint's algorithm name, '' for none. */
    private readonly algorithm: string,
  ) {}

  execute(state: OutgoingMessageState): void {
    const wanted = state.options.encrypt;
    if (wanted === false || (!this.algorithm && !wanted)) return;
    if (!this.algorithm) throw new ConfigurationError('encryption', 'a send asked for encryption but the endpoint has no encryption algorithm');
    const algorithm = this.codecs.encryption(this.algorithm);
    const tm = state.transportMessage;
    tm.message = algorithm.encrypt(tm.message);
    tm.encryptionAlgorithm = algorithm.name;
    tm.headers[ENCRYPTION_KEY_ID_HEADER] = algorithm.keyId;
  }
}
