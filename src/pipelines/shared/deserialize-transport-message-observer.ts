import { deserializeTransportMessage } from '../../envelope/wire-format.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { ReceivedMessageState } from '../received-message-state.js';

/** Reads the envelope; a CorruptEnvelopeError goes to the pipeline's failure observer, which keeps the raw bytes. */
export class DeserializeTransportMessageObserver implements IPipelineObserver<ReceivedMessageState> {
  readonly event = 'onDeserializeTransportMessage';

  execute(state: ReceivedMessageState): void {
    state.transportMessage = deserializeTransportMessage(state.received!.body);
  }
}
