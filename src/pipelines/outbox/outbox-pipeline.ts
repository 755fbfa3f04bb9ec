import { type EventOf, PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { ReceivedMessageState, Taken, WithEnvelope } from '../received-message-state.js';

/** The outbox pipeline: forward each message from the local outbox queue to its recipient, then acknowledge. */
export const OUTBOX_STAGES = [
  { name: 'read', events: ['onGetMessage', 'onDeserializeTransportMessage'] },
  { name: 'send', events: ['onSendOutboxMessage', 'onAcknowledgeMessage', 'onAfterAcknowledgeMessage'] },
] as const satisfies readonly StageDefinition[];

export type OutboxEvent = EventOf<typeof OUTBOX_STAGES>;
export type OutboxStates = {
  readonly onGetMessage: ReceivedMessageState;
  readonly onDeserializeTransportMessage: Taken;
  readonly onSendOutboxMessage: WithEnvelope;
  readonly onAcknowledgeMessage: WithEnvelope;
  readonly onAfterAcknowledgeMessage: WithEnvelope;
  readonly onPipelineException: ReceivedMessageState;
  readonly onPipelineEnd: ReceivedMessageState;
};

export const createOutboxPipelineBuilder = (): PipelineBuilder<OutboxStates> => new PipelineBuilder('outbox', OUTBOX_STAGES);
