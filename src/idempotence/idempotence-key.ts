/**
 * What an idempotence record is keyed by: the endpoint that received the message — its inbox's address,
 * the same however its URI is written — and the message's id. A publish reaches every subscriber under one
 * messageId, so the endpoint belongs to the key: endpoints sharing a store never see each other's records.
 * Every store forms the key here, once per endpoint: as the first two parameters of each statement on a
 * record (a set statement's second is the list of messageIds), or as one string for a map.
 */
export class IdempotenceKeys {
  constructor(
    /** The endpoint's inbox address (a transactional session's key, for the sessions' records). */
    readonly endpoint: string,
  ) {}

  /** A statement's parameters on one message's record: its key, then `more`. */
  params(messageId: string, ...more: unknown[]): unknown[] {
    return [this.endpoint, messageId, ...more];
  }

  /** A set statement's parameters on many messages' records: the endpoint and their ids, then `more`. */
  many(messageIds: readonly string[], ...more: unknown[]): unknown[] {
    return [this.endpoint, messageIds, ...more];
  }

  /** The key as one string (a map's key); `messageId` '' gives the prefix every key of this endpoint starts with. */
  text(messageId: string): string {
    return `${this.endpoint}\u0000${messageId}`;
  }

  /** The messageId of a key `text` formed for this endpoint. */
  messageIdOf(text: string): string {
    return text.slice(this.endpoint.length + 1);
  }
}
