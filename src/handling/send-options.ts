/**
 * Options of `send`, `publish` and `reply`. At most one of `local`, `recipient` picks the destination
 * (otherwise the route table does); `reply` on a context goes to the received message's sender.
 */
export interface SendOptions {
  /** Send to this endpoint's own inbox. */
  local?: boolean;
  /** Send to this queue URI, bypassing routes. */
  recipient?: string;
  /** Not to be handled before this instant (deferred delivery). */
  deferUntil?: Date | number;
  /** Dropped if still undelivered after this instant. */
  expiresAt?: Date | number;
  /** Transports with priority support deliver higher first. */
  priority?: number;
  /**
   * The outgoing message's id, e.g. an idempotency key the caller already has (an order number): a receiver
   * with idempotence then handles a re-send of the same id once. Default: a new UUID. At most 200
   * characters, no control characters; a publish gives every subscriber the same id.
   */
  messageId?: string;
  /** Defaults to the handled message's correlationId (inside a handler). */
  correlationId?: string;
  /** Merged over the handled message's headers (inside a handler). */
  headers?: Record<string, string>;
  /** Defaults to the endpoint's setting. */
  compress?: boolean;
  encrypt?: boolean;
}

export type PublishOptions = Omit<SendOptions, 'local' | 'recipient'>;
export type ReplyOptions = Omit<SendOptions, 'local' | 'recipient'>;

export const toEpochMs = (d: Date | number | undefined): number =>
  d === undefined ? 0 : typeof d === 'number' ? d : d.getTime();
