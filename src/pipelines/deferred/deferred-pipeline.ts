import { type EventOf, PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { Taken, WithEnvelope } from '../received-message-state.js';
import type { DeferredMessageState } from './deferred-message-state.js';

/** The deferred-message pipeline: read from the deferred queue, return due messages to the work queue. */
export const DEFERRED_STAGES = [
  { name: 'read', events: ['onGetMessage', 'onDeserializeTransportMessage'] },
  { name: 'process', events: ['onProcessDeferredMessage', 'onAfterProcessDeferredMessage'] },
] as const satisfies readonly StageDefinition[];

export type DeferredEvent = EventOf<typeof DEFERRED_STAGES>;
export type DeferredStates = {
  readonly onGetMessage: DeferredMessageState;
  readonly onDeserializeTransportMessage: Taken<DeferredMessageState>;
  readonly onProcessDeferredMessage: WithEnvelope<DeferredMessageState>;
  readonly onAfterProcessDeferredMessage: WithEnvelope<DeferredMessageState>;
  readonly onPipelineException: DeferredMessageState;
  readonly onPipelineEnd: DeferredMessageState;
};

export const createDeferredPipelineBuilder = (): PipelineBuilder<DeferredStates> => new PipelineBuilder('deferred', DEFERRED_STAGES);
