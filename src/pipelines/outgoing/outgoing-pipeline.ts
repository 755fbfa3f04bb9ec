import { PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/** Builds the envelope: the body is serialized, then compressed, then encrypted. */
export const TRANSPORT_MESSAGE_STAGES: readonly StageDefinition[] = [
  { name: 'assemble', events: ['onAssembleMessage', 'onAfterAssembleMessage'] },
  { name: 'body', events: ['onSerializeMessage', 'onCompressMessage', 'onEncryptMessage', 'onAfterEncodeMessage'] },
];

/** Sends the envelope: to its route or subscribers, and then to their queues or into the unit of work's store. */
export const DISPATCH_STAGES: readonly StageDefinition[] = [
  { name: 'route', events: ['onRouteMessage', 'onAfterRouteMessage'] },
  { name: 'dispatch', events: ['onDispatchMessage', 'onAfterDispatchMessage'] },
];

export const createTransportMessagePipelineBuilder = (): PipelineBuilder<OutgoingMessageState> =>
  new PipelineBuilder('transport-message', TRANSPORT_MESSAGE_STAGES);
export const createDispatchPipelineBuilder = (): PipelineBuilder<OutgoingMessageState> =>
  new PipelineBuilder('dispatch', DISPATCH_STAGES);
