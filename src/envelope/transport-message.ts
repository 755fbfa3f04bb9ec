/**
 * The envelope every message travels in (Shuttle.Esb's TransportMessage). `message` holds the serialized
 * body after compression and encryption; everything else is metadata readable without the body.
 * Dates are UTC instants as epoch milliseconds (0 = not set) so that the hot path allocates no Date
 * objects; the wire format writes them as ISO-8601 strings.
 */
export interface TransportMessage {
  /** Unique id; fixed when the message is assembled and kept by every re-send, retry and flush. */
  messageId: string;
  /** Causation: the id of the message being handled when this one was sent ('' when sent outside a handler). */
  messageReceivedId: string;
  correlationId: string;
  senderInboxWorkQueueUri: string;
  recipientInboxWorkQueueUri: string;
  principalIdentityName: string;
  /** Not to be handled before this instant (deferred delivery and retry back-off); 0 = now. */
  ignoreTillDate: number;
  /** Dropped (with a log line) when received after this instant; 0 = never expires. */
  expiryDate: number;
  sendDate: number;
  /** 0 = normal; transports that support priority deliver higher first. */
  priority: number;
  /** One line per failed attempt, oldest first. */
  failureMessages: string[];
  /** Stable name registered with @messageType, never a JS class name a bundler could mangle. */
  messageType: string;
  encryptionAlgorithm: string;
  compressionAlgorithm: string;
  headers: Record<string, string>;
  /** The serialized body (after compression, then encryption). */
  message: Uint8Array;
}

/** A fresh envelope with every field set to its "not set" value. */
export function emptyTransportMessage(): TransportMessage {
  return {
    messageId: '',
    messageReceivedId: '',
    correlationId: '',
    senderInboxWorkQueueUri: '',
    recipientInboxWorkQueueUri: '',
    principalIdentityName: '',
    ignoreTillDate: 0,
    expiryDate: 0,
    sendDate: 0,
    priority: 0,
    failureMessages: [],
    messageType: '',
    encryptionAlgorithm: '',
    compressionAlgorithm: '',
    headers: {},
    message: new Uint8Array(0),
  };
}

/** A copy that shares nothing mutable with the original (used for retries, which add a failure line). */
export function cloneTransportMessage(tm: TransportMessage): TransportMessage {
  return { ...tm, failureMessages: [...tm.failureMessages], headers: { ...tm.headers } };
}

export function isExpired(tm: TransportMessage, now: number): boolean {
  return tm.expiryDate !== 0 && tm.expiryDate <= now;
}

export function isIgnoring(tm: TransportMessage, now: number): boolean {
  return tm.ignoreTillDate > now;
}
