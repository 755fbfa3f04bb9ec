import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { LifecycleState } from './lifecycle-state.js';

/** Registers this endpoint's inbox for the event types it subscribes to (idempotent, at every start). */
export class SubscribeObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onSubscribe';

  constructor(private readonly messageTypes: readonly string[]) {}

  async execute(state: LifecycleState): Promise<void> {
    if (this.messageTypes.length === 0) return;
    await state.services.subscriptions.subscribe(this.messageTypes, state.services.address);
  }
}
