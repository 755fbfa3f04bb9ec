import type { TransportMessage } from '../envelope/transport-message.js';
import type { PipelineState } from '../pipeline/pipeline.js';
import type { IQueue, ReceivedMessage } from '../transport/queue.js';

/** The fields every receiving pipeline (inbox, deferred, outbox) shares, so their read observers are shared too. */
export class ReceivedMessageState implements PipelineState {
  aborted = false;
  exception: unknown = undefined;
  exceptionHandled = false;
  received: ReceivedMessage | null = null;
  transportMessage: TransportMessage | null = null;
  /** The loop should back off before the next message (an outage, a release, nothing due). */
  backOff = false;

  constructor(
    /** The queue object this message came from: only it may settle the message. */
    readonly queue: IQueue,
  ) {}
}
