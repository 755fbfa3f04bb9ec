import type { CodecRegistry } from '../../codecs/codec-registry.js';
import { ENCRYPTION_KEY_ID_HEADER } from '../../codecs/encryption.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxRead } from './inbox-message-state.js';

/** Decrypts the body when the envelope says it is encrypted; the key is chosen by the id in the header. */
export class DecryptMessageObserver implements IPipelineObserver<InboxRead, 'onDecryptMessage'> {
  readonly event = 'onDecryptMessage';

  constructor(private readonly codecs: CodecRegistry) {}

  execute(state: InboxRead): void {
    const tm = state.transportMessage;
    state.body = tm.message;
    if (!tm.encryptionAlgorithm) return;
    state.body = this.codecs.encryption(tm.encryptionAlgorithm).decrypt(tm.message, tm.headers[ENCRYPTION_KEY_ID_HEADER] ?? '');
  }
}
