import type { TransportMessage } from '../envelope/transport-message.js';
import type { PipelineState } from '../pipeline/pipeline.js';
import { type IQueue, isDeferredAcknowledgementQueue, type ReceivedMessage } from '../transport/queue.js';

/** A taken message: what the events after `onGetMessage` see (an empty queue aborts the pipeline there). */
export type Taken<S extends ReceivedMessageState = ReceivedMessageState> = S & { readonly received: ReceivedMessage };

/** Its envelope read: what the events after `onDeserializeTransportMessage` see (a corrupt one fails there). */
export type WithEnvelope<S extends ReceivedMessageState = ReceivedMessageState> = Taken<S> & { readonly transportMessage: TransportMessage };

/** The fields every receiving pipeline (inbox, deferred, outbox) shares, so their read observers are shared too. */
export class ReceivedMessageState implements PipelineState {
  aborted = false;
  exception: unknown = undefined;
  exceptionHandled = false;
  received: ReceivedMessage | null = null;
  transportMessage: TransportMessage | null = null;
  /** The loop should back off before the next message (an outage, a release, nothing due). */
  backOff = false;
  /** Acknowledge or release was called (whatever its outcome: a delivery is settled at most once). */
  settled = false;

  constructor(
    /** The queue object this message came from: only it may settle the message. */
    readonly queue: IQueue,
  ) {}

  /** Acknowledges the message taken: it is gone for good. Every observer settles through here. */
  acknowledge(): Promise<void> {
    this.settled = true;
    return this.queue.acknowledge(this.received!.token);
  }

  /**
   * Acknowledges it and calls `durable` once that is for good: at once for most transports, when its batch
   * commits for a queue that ends batches together (never, when that fails and the message comes again).
   */
  acknowledgeThen(durable: () => void): Promise<void> {
    this.settled = true;
    if (isDeferredAcknowledgementQueue(this.queue)) return this.queue.acknowledgeThen(this.received!.token, durable);
    return this.queue.acknowledge(this.received!.token).then(durable);
  }

  /** Releases the message taken: the transport delivers it again. */
  release(): Promise<void> {
    this.settled = true;
    return this.queue.release(this.received!.token);
  }
}
