/**
 * How much of a received message an endpoint is prepared to hold. Everything a message carries is chosen
 * by whoever could write to the queue, so each size is checked before the memory is spent: the envelope's
 * bytes before they are parsed, a compressed body while it inflates (never past the bound), the headers
 * as they are read.
 */
export interface MessageLimits {
  /** The largest envelope read, in bytes; also the most a body may decompress to. */
  readonly maxMessageSize: number;
  /** The most headers an envelope may carry (default MAX_HEADER_COUNT). */
  readonly maxHeaderCount?: number;
  /** The most characters its header names and values may hold together (default MAX_HEADERS_LENGTH). */
  readonly maxHeadersLength?: number;
}

/**
 * 4 MiB. Messages are commands and events, a few KiB as a rule; 4 MiB leaves room for large ones while an
 * endpoint decoding one per receive loop (4 by default) holds tens of MiB at worst, not what a sender
 * names. Raise it per endpoint (`maxMessageSize`) when bigger messages are legitimate.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

/** The most headers an envelope may carry: they flow from a handled message to everything its handler sends. */
export const MAX_HEADER_COUNT = 100;

/** The most characters an envelope's header names and values may hold together (a stack header is 8,000 at most). */
export const MAX_HEADERS_LENGTH = 64 * 1024;

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = { maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE };
