import { type IIdempotenceService, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver, Pipeline } from '../../pipeline/pipeline.js';
import { FlushMessageState } from '../flush/flush-message-state.js';
import type { InboxDecoded } from './inbox-message-state.js';

/**
 * After commit: dispatches every stored send of this message, in send order, each through the flush
 * pipeline (dispatch, then delete). Also runs for a copy found `handled`: that is how a crash between
 * commit and completion is recovered, with the unsent messages under their original ids.
 */
export class SendDeferredObserver implements IPipelineObserver<InboxDecoded, 'onSendDeferred'> {
  readonly event = 'onSendDeferred';

  constructor(
    private readonly idempotence: IIdempotenceService,
    /** Filled with the built flush pipeline before the first message (see buildPipelines). */
    private readonly pipelines: { readonly flush: Pipeline<FlushMessageState> },
  ) {}

  // Not async: a message that owes nothing (no stored sends, known from its commit) costs no promise.
  execute(state: InboxDecoded): Promise<void> | undefined {
    if (!this.idempotence.enabled || state.status === ProcessingStatus.Ignore) return;
    if (this.idempotence.owesNothing?.(state.transportMessage)) return;
    return this.flush(state);
  }

  private async flush(state: InboxDecoded): Promise<void> {
    const received = state.transportMessage;
    const stored = await this.idempotence.getDeferredMessages(received, () => {
      state.waitedForCopy = true;
    });
    for (const deferred of stored) await this.pipelines.flush.execute(new FlushMessageState(received, deferred));
  }
}
