import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { LifecycleState } from './lifecycle-state.js';

/** Stops the transactional sessions' service once the sweeper (a processor) and the sessions have ended. */
export class StopSessionsObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onStopSessions';

  async execute(state: LifecycleState): Promise<void> {
    await state.services.sessions?.stop?.();
  }
}
