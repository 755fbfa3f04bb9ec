import type { BusEvents } from '../../events/bus-events.js';
import type { ResolvedInbox } from '../../config/resolved-options.js';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { failureFields } from '../../logging/failure-fields.js';
import type { ILogger } from '../../logging/logger.js';
import { PIPELINE_EXCEPTION_EVENT, type IPipelineObserver } from '../../pipeline/pipeline.js';
import { classifyFailure } from '../../recoverability/classify-failure.js';
import { decideFailure, type FailureDecision } from '../../recoverability/decide-failure.js';
import type { FailedMessageMover } from '../../recoverability/failed-message-mover.js';
import type { InfrastructureFailures } from '../../recoverability/infrastructure-failures.js';
import { isSchedulingQueue } from '../../transport/queue.js';
import type { Taken } from '../received-message-state.js';
import type { InboxMessageState } from './inbox-message-state.js';

const RELEASED = Object.freeze({ action: 'released' } as const);

/**
 * Where a failed inbound message ends up (classify-failure.ts). Never dropped:
 * - unreadable envelope → error queue with the raw bytes; other unreadable messages → error queue with the reason;
 * - a failure of the message (its handler threw or timed out, or it keeps failing the same way) → the
 *   retry policy (pure decideFailure): retry copy, error queue, or release ('block');
 * - infrastructure (the store, a commit, a flush, the transport) → rolled back and released, and the loop
 *   backs off: redelivery is safe because the contract makes every step repeatable — unless the message
 *   has failed this way INFRASTRUCTURE_FAILURE_LIMIT times while others succeeded: then the error queue;
 * - a simulated crash, or a handler given up by stop() → rolled back and released, as a dead process's broker would.
 * If moving the message fails too, it is released. The unit of work is always rolled back first.
 */
export class HandleFailureObserver implements IPipelineObserver<InboxMessageState, typeof PIPELINE_EXCEPTION_EVENT> {
  readonly event = PIPELINE_EXCEPTION_EVENT;

  constructor(
    private readonly options: { readonly name: string; readonly inbox: ResolvedInbox },
    private readonly mover: FailedMessageMover,
    private readonly infrastructure: InfrastructureFailures,
    private readonly logger: ILogger,
    private readonly events: BusEvents,
    private readonly stopSignal: AbortSignal,
  ) {}

  async execute(state: InboxMessageState): Promise<void> {
    const error = state.exception;
    // Read before the rollback: whether the unit of work's connection failed under the handler's statement.
    const connectionFailure = state.unitOfWork?.isConnectionFailure?.(error) ?? false;
    if (state.unitOfWork) {
      const uow = state.unitOfWork;
      state.unitOfWork = null;
      await uow.rollback().catch((e: unknown) => this.logger.warn('rollback failed', { error: String(e) }));
    }
    if (!state.received) return; // nothing taken: the loop logs and backs off
    try {
      await this.route(state as Taken<InboxMessageState>, error, connectionFailure);
    } catch (secondary) {
      this.logger.error('could not move a failed message; releasing it', this.fields(state.transportMessage, secondary, { failure: String(error) }));
      await this.release(state, secondary);
    }
    state.exceptionHandled = true;
  }

  private async route(state: Taken<InboxMessageState>, error: unknown, connectionFailure: boolean): Promise<void> {
    const { inbox } = this.options;
    const tm = state.transportMessage;
    if (!tm) {
      const wrapped = await this.mover.enqueueUnreadable(inbox.errorQueueUri, state.received.body, error, this.mover.sourceAddress(inbox.workQueueUri));
      await state.acknowledge();
      this.logger.error('unreadable message moved to the error queue', this.fields(undefined, error, { errorQueueMessageId: wrapped.messageId }));
      state.failureAction = { action: 'error-queue', reason: String(error) };
      this.events.emit('messageSentToErrorQueue', wrapped, String(error));
      return;
    }
    let decision: FailureDecision;
    switch (classifyFailure(error, state.handlerError, this.stopSignal.aborted, connectionFailure)) {
      case 'crash':
      case 'stopped': // not the message's fault: no failure counted; it comes back after the restart
        return this.release(state, error);
      case 'unreadable':
        decision = { action: 'error-queue', reason: (error as Error).message };
        break;
      case 'message':
        decision = decideFailure(tm.failureMessages.length + 1, error, inbox, state.failureHandling, this.mover.now());
        break;
      case 'infrastructure': {
        const verdict = this.infrastructure.failed(tm.messageId, String(error));
        if (verdict.action === 'poison') {
          const reason = `failed ${verdict.errors.length} times in a row around the infrastructure while other messages succeeded`;
          return this.toErrorQueue(state, tm, this.mover.withFailures(tm, verdict.errors), reason, error);
        }
        this.logger.warn('message released after an infrastructure failure', this.fields(tm, error, { infrastructureFailures: verdict.action === 'defer' ? verdict.failures : 1 }));
        if (verdict.action === 'release') return this.release(state, error);
        // Uncounted, with the retry back-off, behind the other messages; if even that fails, released.
        const wait = inbox.durationToIgnoreOnFailure[Math.min(verdict.failures - 2, inbox.durationToIgnoreOnFailure.length - 1)] ?? 0;
        await this.requeue(state, tm, wait > 0 ? this.mover.now() + wait : 0);
        state.failureAction = RELEASED;
        this.events.emit('messageReleased', tm, error);
        return;
      }
    }
    switch (decision.action) {
      case 'retry': {
        const copy = this.mover.withFailure(tm, error, decision.ignoreTillDate);
        await this.requeue(state, copy, decision.ignoreTillDate);
        this.logger.warn('handler failed; retry scheduled', this.fields(tm, error, { attempt: copy.failureMessages.length, retryAt: decision.ignoreTillDate > 0 ? new Date(decision.ignoreTillDate).toISOString() : undefined }));
        state.failureAction = { action: 'retried', attempt: copy.failureMessages.length };
        this.events.emit('messageRetried', copy, error);
        return;
      }
      case 'error-queue':
        return this.toErrorQueue(state, tm, this.mover.forErrorQueue(tm, error), decision.reason, error);
      case 'release':
        return this.release(state, error);
    }
  }

  /** A copy at the back of the work queue (through the deferred queue when it must wait), then the original acknowledged. */
  private async requeue(state: InboxMessageState, copy: TransportMessage, ignoreTillDate: number): Promise<void> {
    const { inbox } = this.options;
    if (copy.ignoreTillDate !== ignoreTillDate) copy = { ...copy, ignoreTillDate };
    const deferred = ignoreTillDate > 0 && inbox.deferredQueueUri !== undefined && !isSchedulingQueue(state.queue);
    await this.mover.enqueue(deferred ? inbox.deferredQueueUri! : inbox.workQueueUri, copy);
    await state.acknowledge();
  }

  private async toErrorQueue(state: InboxMessageState, tm: TransportMessage, copy: TransportMessage, reason: string, error: unknown): Promise<void> {
    await this.mover.enqueue(this.options.inbox.errorQueueUri, copy);
    await state.acknowledge();
    this.logger.error('message moved to the error queue', this.fields(tm, error, { attempt: copy.failureMessages.length, reason }));
    state.failureAction = { action: 'error-queue', reason };
    this.events.emit('messageSentToErrorQueue', copy, reason);
  }

  private fields(tm: TransportMessage | null | undefined, error: unknown, extra?: Record<string, unknown>): Record<string, unknown> {
    return failureFields(this.options.name, tm, error, extra);
  }

  private async release(state: InboxMessageState, error: unknown): Promise<void> {
    state.backOff = true;
    try {
      await state.release();
    } catch (e) {
      // The transport lost the delivery (a dead channel): it redelivers the message by itself.
      this.logger.warn('release failed; the transport will redeliver', { error: String(e) });
    }
    state.failureAction = RELEASED;
    this.events.emit('messageReleased', state.transportMessage, error);
  }
}
