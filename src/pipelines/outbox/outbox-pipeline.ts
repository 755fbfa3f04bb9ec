import { PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { ReceivedMessageState } from '../received-message-state.js';

/** The outbox pipeline: forward each message from the local outbox queue to its recipient, then acknowledge. */
export const OUTBOX_STAGES: readonly StageDefinition[] = [
  { name: 'read', events: ['onGetMessage', 'onDeserializeTransportMessage'] },
  { name: 'send', events: ['onSendOutboxMessage', 'onAcknowledgeMessage', 'onAfterAcknowledgeMessage'] },
];

export const createOutboxPipelineBuilder = (): PipelineBuilder<ReceivedMessageState> => new PipelineBuilder('outbox', OUTBOX_STAGES);
