import { PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { DeferredMessageState } from './deferred-message-state.js';

/** The deferred-message pipeline: read from the deferred queue, return due messages to the work queue. */
export const DEFERRED_STAGES: readonly StageDefinition[] = [
  { name: 'read', events: ['onGetMessage', 'onDeserializeTransportMessage'] },
  { name: 'process', events: ['onProcessDeferredMessage', 'onAfterProcessDeferredMessage'] },
];

export const createDeferredPipelineBuilder = (): PipelineBuilder<DeferredMessageState> =>
  new PipelineBuilder('deferred', DEFERRED_STAGES);
