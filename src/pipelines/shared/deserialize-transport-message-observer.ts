import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from '../../envelope/message-limits.js';
import { deserializeTransportMessage } from '../../envelope/wire-format.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { Taken } from '../received-message-state.js';

/** Reads the envelope; a CorruptEnvelopeError goes to the pipeline's failure observer, which keeps the raw bytes. */
export class DeserializeTransportMessageObserver implements IPipelineObserver<Taken, 'onDeserializeTransportMessage'> {
  readonly event = 'onDeserializeTransportMessage';

  constructor(private readonly limits: MessageLimits = DEFAULT_MESSAGE_LIMITS) {}

  execute(state: Taken): void {
    state.transportMessage = deserializeTransportMessage(state.received.body, this.limits);
  }
}
