import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { LifecycleState } from './lifecycle-state.js';

/** Closes every queue object: anything taken and not settled goes back to its queue. */
export class CloseQueuesObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onCloseQueues';

  async execute(state: LifecycleState): Promise<void> {
    await state.services.queues.close();
  }
}
