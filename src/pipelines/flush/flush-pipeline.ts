import { PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { FlushMessageState } from './flush-message-state.js';

/**
 * The flush (outbox-style send) of one stored message: dispatch it, then delete it. A crash between the
 * two events re-sends it on redelivery under the same messageId, which the receiver drops.
 */
export const FLUSH_STAGES: readonly StageDefinition[] = [
  { name: 'flush', events: ['onBeforeDispatchDeferredMessage', 'onDispatchDeferredMessage', 'onAfterDispatchDeferredMessage', 'onDeferredMessageSent', 'onAfterDeferredMessageSent'] },
];

export const createFlushPipelineBuilder = (): PipelineBuilder<FlushMessageState> => new PipelineBuilder('flush', FLUSH_STAGES);
