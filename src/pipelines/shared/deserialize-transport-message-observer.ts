import { deserializeTransportMessage } from '../../envelope/wire-format.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { Taken } from '../received-message-state.js';

/** Reads the envelope; a CorruptEnvelopeError goes to the pipeline's failure observer, which keeps the raw bytes. */
export class DeserializeTransportMessageObserver implements IPipelineObserver<Taken, 'onDeserializeTransportMessage'> {
  readonly event = 'onDeserializeTransportMessage';

  execute(state: Taken): void {
    state.transportMessage = deserializeTransportMessage(state.received.body);
  }
}
