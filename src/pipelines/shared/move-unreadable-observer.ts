import { OncebusError } from '../../errors/oncebus-error.js';
import type { ILogger } from '../../logging/logger.js';
import { PIPELINE_EXCEPTION_EVENT, type IPipelineObserver } from '../../pipeline/pipeline.js';
import type { FailedMessageMover } from '../../recoverability/failed-message-mover.js';
import type { ReceivedMessageState } from '../received-message-state.js';

/**
 * Failure handling of the deferred and outbox pipelines: an unreadable envelope, or one no retry can help
 * (a recipient on a connection nobody configured), goes to the error queue with its raw bytes; any other
 * failure (the transport, a recipient's queue) releases the message and backs off, because these pipelines
 * only move messages and moving again is safe.
 */
export class MoveUnreadableObserver implements IPipelineObserver<ReceivedMessageState, typeof PIPELINE_EXCEPTION_EVENT> {
  readonly event = PIPELINE_EXCEPTION_EVENT;

  constructor(
    private readonly mover: FailedMessageMover,
    private readonly errorQueueUri: string,
    private readonly logger: ILogger,
  ) {}

  async execute(state: ReceivedMessageState): Promise<void> {
    const received = state.received;
    if (!received) return;
    state.exceptionHandled = true;
    state.backOff = true;
    try {
      if (state.transportMessage === null || (OncebusError.is(state.exception) && state.exception.kind === 'unreadable')) {
        await this.mover.enqueueUnreadable(this.errorQueueUri, received.body, state.exception, this.mover.sourceAddress(state.queue.uri));
        await state.acknowledge();
        return;
      }
    } catch (error) {
      this.logger.error('could not move an unreadable message; releasing it', { error: String(error) });
    }
    this.logger.warn('message released', { queueUri: state.queue.uri, error: String(state.exception) });
    await state.release().catch(() => undefined);
  }
}
