import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { ReceivedMessageState } from '../received-message-state.js';

/** Acknowledges the message once it has been moved on. */
export class AcknowledgeReceivedObserver implements IPipelineObserver<ReceivedMessageState> {
  readonly event = 'onAcknowledgeMessage';

  async execute(state: ReceivedMessageState): Promise<void> {
    await state.acknowledge();
  }
}
