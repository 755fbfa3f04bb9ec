import { EventEmitter } from 'node:events';
import type { TransportMessage } from '../envelope/transport-message.js';
import type { BackOffReason } from '../processing/receive-loop.js';

/**
 * What happened to inbound messages, for extensions, metrics, tests and the demo. Emitted after the
 * fact; a listener that throws is the listener's problem (errors are caught and logged).
 * Emitting with no listener costs a property lookup: no payload object is built per message.
 */
export interface BusEventMap {
  /** The handler ran and its work committed. */
  messageHandled: [tm: TransportMessage];
  /** A duplicate: its row was completed already; acknowledged without running the handler. */
  messageIgnored: [tm: TransportMessage];
  /** The handler had committed before; only its unsent messages were flushed. */
  messageFlushed: [tm: TransportMessage];
  /** Handling failed and a retry copy was enqueued (ignoreTillDate in it). */
  messageRetried: [tm: TransportMessage, error: unknown];
  /** Sent to the error queue with the reason (the raw bytes are kept when the envelope was unreadable). */
  messageSentToErrorQueue: [tm: TransportMessage, reason: string];
  /** Moved to the deferred queue (or re-scheduled) until its ignoreTillDate. */
  messageDeferred: [tm: TransportMessage];
  /** Dropped because its expiryDate had passed. */
  messageExpired: [tm: TransportMessage];
  /** Released back to its queue unsettled (stop timeout, a store or transport outage, a 'block' override). */
  messageReleased: [tm: TransportMessage | null, error: unknown];
  /** An outgoing message was put on a queue (for stored sends: when flushed). */
  messageDispatched: [tm: TransportMessage];
  /** A transactional session's messages were dispatched after its commit: by the session itself, or by the sweeper (an orphan). */
  sessionDispatched: [sessionId: string, by: 'session' | 'sweeper'];
  /** A receive loop paused (per `durationToSleepWhenIdle`): an empty queue, a failed receive, or a message released or put aside. */
  receiveBackOff: [loop: string, reason: BackOffReason];
  started: [];
  stopped: [];
}

export class BusEvents extends EventEmitter<BusEventMap> {}
