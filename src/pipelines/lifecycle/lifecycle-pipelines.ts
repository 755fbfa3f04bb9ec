import { PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { LifecycleState } from './lifecycle-state.js';

export const STARTUP_STAGES: readonly StageDefinition[] = [
  { name: 'prepare', events: ['onCreateQueues', 'onStartIdempotence', 'onSubscribe'] },
  { name: 'start', events: ['onStartProcessing', 'onStartSessions', 'onStarted'] },
];

export const SHUTDOWN_STAGES: readonly StageDefinition[] = [
  { name: 'stop', events: ['onStopProcessing', 'onStopIdempotence', 'onStopSessions', 'onCloseQueues', 'onStopped'] },
];

export const createStartupPipelineBuilder = (): PipelineBuilder<LifecycleState> => new PipelineBuilder('startup', STARTUP_STAGES);
export const createShutdownPipelineBuilder = (): PipelineBuilder<LifecycleState> => new PipelineBuilder('shutdown', SHUTDOWN_STAGES);
