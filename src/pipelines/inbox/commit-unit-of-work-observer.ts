import { type IIdempotenceClaim, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxDecoded } from './inbox-message-state.js';

/**
 * Marks the row `handled` inside the transaction, then commits: the handler's writes, the claim and
 * the stored sends become durable together, or not at all. Nothing was written for a copy found
 * handled or completed; its transaction is just closed.
 */
export class CommitUnitOfWorkObserver implements IPipelineObserver<InboxDecoded, 'onCommitUnitOfWork'> {
  readonly event = 'onCommitUnitOfWork';

  constructor(private readonly idempotence: IIdempotenceClaim) {}

  async execute(state: InboxDecoded): Promise<void> {
    const uow = state.unitOfWork;
    if (!uow) return;
    if (state.status === ProcessingStatus.Assigned) await this.idempotence.messageHandled(state.transportMessage, uow);
    await uow.commit();
    state.unitOfWork = null;
    state.committed = true;
  }
}
