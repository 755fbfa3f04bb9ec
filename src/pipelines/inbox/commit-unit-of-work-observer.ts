import { type IIdempotenceClaim, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
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

  // Not async: without a unit of work (idempotence off) it costs no promise and no microtask.
  execute(state: InboxDecoded): Promise<void> | undefined {
    const uow = state.unitOfWork;
    if (!uow) return;
    return this.commit(state, uow);
  }

  private async commit(state: InboxDecoded, uow: IUnitOfWork): Promise<void> {
    if (state.status === ProcessingStatus.Assigned) await this.idempotence.messageHandled(state.transportMessage, uow);
    await uow.commit();
    state.unitOfWork = null;
    state.committed = true;
  }
}
