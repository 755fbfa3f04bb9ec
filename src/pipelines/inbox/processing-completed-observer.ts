import { type IIdempotenceService, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxMessageState } from './inbox-message-state.js';

/** Marks the row `completed` once every stored send is out: later copies are then ignored. */
export class ProcessingCompletedObserver implements IPipelineObserver<InboxMessageState> {
  readonly event = 'onProcessingCompleted';

  constructor(private readonly idempotence: IIdempotenceService) {}

  async execute(state: InboxMessageState): Promise<void> {
    if (!this.idempotence.enabled || state.status === ProcessingStatus.Ignore) return;
    await this.idempotence.processingCompleted(state.transportMessage!);
  }
}
