import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { LifecycleState } from './lifecycle-state.js';

/** Stops the idempotence service's timers and connections after the last message is settled. */
export class StopIdempotenceObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onStopIdempotence';

  async execute(state: LifecycleState): Promise<void> {
    await state.services.idempotence.stop?.();
  }
}
