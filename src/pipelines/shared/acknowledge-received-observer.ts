import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { WithEnvelope } from '../received-message-state.js';

/** Acknowledges the message once it has been moved on. */
export class AcknowledgeReceivedObserver implements IPipelineObserver<WithEnvelope, 'onAcknowledgeMessage'> {
  readonly event = 'onAcknowledgeMessage';

  async execute(state: WithEnvelope): Promise<void> {
    await state.acknowledge();
  }
}
