import type { CodecRegistry } from '../../codecs/codec-registry.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxDecoding } from './inbox-message-state.js';

/** Decompresses the (decrypted) body when the envelope names a compression algorithm. */
export class DecompressMessageObserver implements IPipelineObserver<InboxDecoding, 'onDecompressMessage'> {
  readonly event = 'onDecompressMessage';

  constructor(
    private readonly codecs: CodecRegistry,
    /** The endpoint's maxMessageSize: inflation stops there. */
    private readonly maxLength: number,
  ) {}

  execute(state: InboxDecoding): void {
    const tm = state.transportMessage;
    if (!tm.compressionAlgorithm) return;
    state.body = this.codecs.decompress(tm.compressionAlgorithm, state.body, this.maxLength);
  }
}
