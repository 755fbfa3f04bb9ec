import type { CodecRegistry } from '../../codecs/codec-registry.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/** Compresses the body when the endpoint (or the send's `compress` option) asks; before encryption, which leaves nothing to compress. */
export class CompressMessageObserver implements IPipelineObserver<OutgoingMessageState, 'onCompressMessage'> {
  readonly event = 'onCompressMessage';

  constructor(
    private readonly codecs: CodecRegistry,
    /** The endpoint's algorithm name, '' for none. */
    private readonly algorithm: string,
  ) {}

  execute(state: OutgoingMessageState): void {
    const wanted = state.options.compress;
    const name = wanted === false ? '' : this.algorithm || (wanted ? 'gzip' : '');
    if (!name) return;
    const tm = state.transportMessage;
    tm.message = this.codecs.compression(name).compress(tm.message);
    tm.compressionAlgorithm = name;
  }
}
