import { type IIdempotenceService, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxDecoded } from './inbox-message-state.js';

/** Marks the row `completed` once every stored send is out: later copies are then ignored. */
export class ProcessingCompletedObserver implements IPipelineObserver<InboxDecoded, 'onProcessingCompleted'> {
  readonly event = 'onProcessingCompleted';

  constructor(private readonly idempotence: IIdempotenceService) {}

  execute(state: InboxDecoded): Promise<void> | undefined {
    if (!this.idempotence.enabled || state.status === ProcessingStatus.Ignore) return;
    // Committed 'completed' just now (no stored sends): there is nothing to complete.
    if (this.idempotence.owesNothing?.(state.transportMessage)) return;
    return this.idempotence.processingCompleted(state.transportMessage);
  }
}
