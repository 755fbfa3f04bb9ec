import { type EventOf, PipelineBuilder, type StageDefinition, type UniformStates } from '../../pipeline/pipeline.js';
import type { FlushMessageState } from './flush-message-state.js';

/**
 * The flush (outbox-style send) of one stored message: dispatch it, then delete it. A crash between the
 * two events re-sends it on redelivery under the same messageId, which the receiver drops.
 */
export const FLUSH_STAGES = [
  { name: 'flush', events: ['onBeforeDispatchDeferredMessage', 'onDispatchDeferredMessage', 'onAfterDispatchDeferredMessage', 'onDeferredMessageSent', 'onAfterDeferredMessageSent'] },
] as const satisfies readonly StageDefinition[];

export type FlushEvent = EventOf<typeof FLUSH_STAGES>;
export type FlushStates = UniformStates<FlushEvent, FlushMessageState>;

export const createFlushPipelineBuilder = (): PipelineBuilder<FlushStates> => new PipelineBuilder('flush', FLUSH_STAGES);
