import type { ILogger } from '../../logging/logger.js';
import { PIPELINE_END_EVENT, type IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxMessageState } from './inbox-message-state.js';

/**
 * Closes a unit of work the pipeline left open (an extension aborted between the idempotence check and
 * the commit): rolled back, so its connection, its claim and any lock it holds are freed, and copies
 * waiting on its claim go on. Runs before the message is released (registered first).
 */
export class RollBackOpenUnitOfWorkObserver implements IPipelineObserver<InboxMessageState> {
  readonly event = PIPELINE_END_EVENT;

  constructor(private readonly logger: ILogger) {}

  async execute(state: InboxMessageState): Promise<void> {
    const uow = state.unitOfWork;
    if (!uow) return;
    state.unitOfWork = null;
    this.logger.warn('the pipeline ended with its unit of work open; rolling it back', { messageId: state.transportMessage?.messageId });
    await uow.rollback().catch((e: unknown) => this.logger.warn('rollback failed', { error: String(e) }));
  }
}
