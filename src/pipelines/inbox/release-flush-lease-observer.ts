import type { IIdempotenceFlush } from '../../idempotence/idempotence-service.js';
import type { ILogger } from '../../logging/logger.js';
import { PIPELINE_EXCEPTION_EVENT, type IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxMessageState } from './inbox-message-state.js';

/**
 * A failure after the commit (a flush that could not dispatch, a completion the store refused): the copy
 * gives up its flush lease, so the redelivered copy flushes at once instead of waiting the lease out.
 * Runs before the failure is routed. Best effort: a lease not released simply runs out.
 */
export class ReleaseFlushLeaseObserver implements IPipelineObserver<InboxMessageState, typeof PIPELINE_EXCEPTION_EVENT> {
  readonly event = PIPELINE_EXCEPTION_EVENT;

  constructor(
    private readonly idempotence: IIdempotenceFlush,
    private readonly logger: ILogger,
  ) {}

  async execute(state: InboxMessageState): Promise<void> {
    // Committed implies read: a unit of work is opened only for a message whose envelope was read.
    const tm = state.transportMessage;
    if (!state.committed || !tm) return;
    await this.idempotence
      .releaseFlush(tm)
      .catch((e: unknown) => this.logger.warn('could not release the flush lease; it runs out by itself', { error: String(e) }));
  }
}
