import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { ILogger } from '../../logging/logger.js';
import { PIPELINE_END_EVENT, type IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxMessageState } from './inbox-message-state.js';

/**
 * Closes a unit of work the pipeline left open (an extension aborted between the idempotence check and
 * the commit): rolled back, so its connection, its claim and any lock it holds are freed, and copies
 * waiting on its claim go on. Runs before the message is released (registered first).
 */
export class RollBackOpenUnitOfWorkObserver implements IPipelineObserver<InboxMessageState, typeof PIPELINE_END_EVENT> {
  readonly event = PIPELINE_END_EVENT;

  constructor(private readonly logger: ILogger) {}

  // Not async: the common case (nothing left open) costs no promise and no microtask.
  execute(state: InboxMessageState): Promise<void> | undefined {
    const uow = state.unitOfWork;
    if (!uow) return;
    return this.rollBack(state, uow);
  }

  private async rollBack(state: InboxMessageState, uow: IUnitOfWork): Promise<void> {
    state.unitOfWork = null;
    this.logger.warn('the pipeline ended with its unit of work open; rolling it back', { messageId: state.transportMessage?.messageId });
    await uow.rollback().catch((e: unknown) => this.logger.warn('rollback failed', { error: String(e) }));
  }
}
