import type { BusEvents } from '../../bus/bus-events.js';
import type { ResolvedEndpointOptions } from '../../bus/resolved-options.js';
import { OncebusError } from '../../errors/errors.js';
import type { ILogger } from '../../logging/logger.js';
import { PIPELINE_EXCEPTION_EVENT, type IPipelineObserver } from '../../pipeline/pipeline.js';
import { decideFailure, type FailureDecision } from '../../recoverability/decide-failure.js';
import type { FailedMessageMover } from '../../recoverability/failed-message-mover.js';
import { isSchedulingQueue } from '../../transport/queue.js';
import type { InboxMessageState } from './inbox-message-state.js';

/** Errors about the message itself: retrying cannot change the outcome, so they go to the error queue at once. */
const MESSAGE_ERRORS = new Set([
  'ONCEBUS_CORRUPT_ENVELOPE',
  'ONCEBUS_UNKNOWN_MESSAGE_TYPE',
  'ONCEBUS_DESERIALIZATION',
  'ONCEBUS_NO_HANDLER',
  'ONCEBUS_RETENTION_WINDOW_PASSED',
]);

/**
 * Where a failed inbound message ends up. Never dropped:
 * - unreadable envelope → error queue with the raw bytes; other message errors → error queue with the reason;
 * - handler error → the retry policy (pure decideFailure): retry copy, error queue, or release ('block');
 * - anything else (the idempotence store, a commit, a flush, the transport) → rolled back and released,
 *   and the loop backs off: redelivery is safe because the contract makes every step repeatable;
 * - a simulated crash, or a handler aborted by stop() → rolled back and released, as a dead process's broker would.
 * If moving the message fails too, it is released. The unit of work is always rolled back first.
 */
export class HandleFailureObserver implements IPipelineObserver<InboxMessageState> {
  readonly event = PIPELINE_EXCEPTION_EVENT;

  constructor(
    private readonly options: ResolvedEndpointOptions,
    private readonly mover: FailedMessageMover,
    private readonly clock: () => number,
    private readonly logger: ILogger,
    private readonly events: BusEvents,
    private readonly stopSignal: AbortSignal,
  ) {}

  async execute(state: InboxMessageState): Promise<void> {
    const error = state.exception;
    if (state.unitOfWork) {
      const uow = state.unitOfWork;
      state.unitOfWork = null;
      await uow.rollback().catch((e: unknown) => this.logger.warn('rollback failed', { error: String(e) }));
    }
    if (!state.received) return; // nothing taken: the loop logs and backs off
    try {
      await this.route(state, error);
    } catch (secondary) {
      this.logger.error('could not move a failed message; releasing it', {
        messageId: state.transportMessage?.messageId,
        error: String(secondary),
      });
      await this.release(state, secondary);
    }
    state.exceptionHandled = true;
  }

  private async route(state: InboxMessageState, error: unknown): Promise<void> {
    const { inbox } = this.options;
    const tm = state.transportMessage;
    const received = state.received!;
    const code = OncebusError.is(error) ? error.code : '';
    if (!tm) {
      const wrapped = await this.mover.enqueueUnreadable(inbox.errorQueueUri, received.body, error, inbox.workQueueUri);
      await state.acknowledge();
      this.logger.error('unreadable message moved to the error queue', { errorQueueMessageId: wrapped.messageId, error: String(error) });
      this.events.emit('messageSentToErrorQueue', wrapped, String(error));
      return;
    }
    if (code === 'ONCEBUS_SIMULATED_CRASH') {
      await this.release(state, error);
      return;
    }
    let decision: FailureDecision;
    if (MESSAGE_ERRORS.has(code)) decision = { action: 'error-queue', reason: (error as Error).message };
    else if (state.handlerError === error && this.stopSignal.aborted) {
      // Aborted by stop(): not the message's fault, so no failure is counted; it comes back after restart.
      await this.release(state, error);
      return;
    } else if (state.handlerError === error && error !== undefined) {
      decision = decideFailure(tm.failureMessages.length + 1, error, inbox, state.failureHandling, this.clock());
    } else {
      this.logger.warn('message released after an infrastructure failure', { messageId: tm.messageId, error: String(error) });
      await this.release(state, error);
      return;
    }
    switch (decision.action) {
      case 'retry': {
        const copy = this.mover.withFailure(tm, error, decision.ignoreTillDate);
        const deferred = decision.ignoreTillDate > 0 && inbox.deferredQueueUri !== undefined && !isSchedulingQueue(state.queue);
        await this.mover.enqueue(deferred ? inbox.deferredQueueUri! : inbox.workQueueUri, copy);
        await state.acknowledge();
        this.logger.warn('handler failed; retry scheduled', {
          messageId: tm.messageId,
          attempt: copy.failureMessages.length,
          error: String(error),
        });
        this.events.emit('messageRetried', copy, error);
        return;
      }
      case 'error-queue': {
        const copy = this.mover.withFailure(tm, error);
        await this.mover.enqueue(inbox.errorQueueUri, copy);
        await state.acknowledge();
        this.logger.error('message moved to the error queue', { messageId: tm.messageId, reason: decision.reason, error: String(error) });
        this.events.emit('messageSentToErrorQueue', copy, decision.reason);
        return;
      }
      case 'release':
        await this.release(state, error);
    }
  }

  private async release(state: InboxMessageState, error: unknown): Promise<void> {
    state.backOff = true;
    try {
      await state.release();
    } catch (e) {
      // The transport lost the delivery (a dead channel): it redelivers the message by itself.
      this.logger.warn('release failed; the transport will redeliver', { error: String(e) });
    }
    this.events.emit('messageReleased', state.transportMessage, error);
  }
}
