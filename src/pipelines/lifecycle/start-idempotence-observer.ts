import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { LifecycleState } from './lifecycle-state.js';

/** Starts the idempotence service (schema, retention timer) before any message is taken. */
export class StartIdempotenceObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onStartIdempotence';

  async execute(state: LifecycleState): Promise<void> {
    await state.services.idempotence.start?.({ concurrency: state.services.options.inbox?.threadCount ?? 1 });
  }
}
