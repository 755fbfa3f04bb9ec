import type { BusEvents } from '../../events/bus-events.js';
import type { ILogger } from '../../logging/logger.js';
import { PIPELINE_END_EVENT, type IPipelineObserver } from '../../pipeline/pipeline.js';
import type { ReceivedMessageState } from '../received-message-state.js';

/**
 * The last word on a taken message: if the pipeline ended without acknowledging or releasing it (an
 * extension aborted it mid-way), it is released, so it is redelivered instead of held until the process
 * ends. Every core path settles the message itself; this only catches early ends.
 */
export class ReleaseUnsettledObserver implements IPipelineObserver<ReceivedMessageState, typeof PIPELINE_END_EVENT> {
  readonly event = PIPELINE_END_EVENT;

  constructor(
    private readonly logger: ILogger,
    private readonly events: BusEvents,
  ) {}

  // Not async: the common case (settled) costs no promise and no microtask.
  execute(state: ReceivedMessageState): Promise<void> | undefined {
    if (!state.received || state.settled) return;
    return this.release(state);
  }

  private async release(state: ReceivedMessageState): Promise<void> {
    this.logger.warn('the pipeline ended without settling its message; releasing it', {
      queueUri: state.queue.uri,
      messageId: state.transportMessage?.messageId,
    });
    state.backOff = true;
    await state.release().catch((e: unknown) => this.logger.warn('release failed; the transport will redeliver', { error: String(e) }));
    this.events.emit('messageReleased', state.transportMessage, new Error('the pipeline ended without settling its message'));
  }
}
