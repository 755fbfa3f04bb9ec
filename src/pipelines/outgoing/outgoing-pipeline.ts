import { type EventOf, PipelineBuilder, type StageDefinition, type UniformStates } from '../../pipeline/pipeline.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/**
 * One outgoing message: the envelope is built (the body serialized, then compressed, then encrypted), then
 * sent — to its route or subscribers, and then to their queues or into the unit of work's store.
 */
export const OUTGOING_STAGES = [
  { name: 'assemble', events: ['onAssembleMessage', 'onAfterAssembleMessage'] },
  { name: 'body', events: ['onSerializeMessage', 'onCompressMessage', 'onEncryptMessage', 'onAfterEncodeMessage'] },
  { name: 'route', events: ['onRouteMessage', 'onAfterRouteMessage'] },
  { name: 'dispatch', events: ['onDispatchMessage', 'onAfterDispatchMessage'] },
] as const satisfies readonly StageDefinition[];

export type OutgoingEvent = EventOf<typeof OUTGOING_STAGES>;
export type OutgoingStates = UniformStates<OutgoingEvent, OutgoingMessageState>;

export const createOutgoingPipelineBuilder = (): PipelineBuilder<OutgoingStates> => new PipelineBuilder('outgoing', OUTGOING_STAGES);
