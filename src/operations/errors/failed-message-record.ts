import { createHash } from 'node:crypto';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { deserializeTransportMessage } from '../../envelope/wire-format.js';

import { failureSignature, parseFailureLine } from './failure-signature.js';
import { EXCEPTION_TYPE_HEADER, FAILURE_REASON_HEADER, SOURCE_QUEUE_HEADER } from '../../envelope/oncebus-headers.js';

/** The message type under which bytes that are not even an envelope are recorded. */
export const UNREADABLE_BYTES_TYPE = 'oncebus.UnreadableBytes';

/**
 * How long a descriptive column (message type, exception, failure line) may be: the sender writes them,
 * and every list and poll reads them. The envelope itself is kept whole, byte-exact.
 */
const MAX_FIELD_CHARS = 4096;
/** A key column longer than this (an index row has a size limit) is cut and made unique by a hash of it all. */
const MAX_KEY_CHARS = 512;

/** What a record is keyed, listed and grouped by, read from a delivery's bytes (whatever they hold). */
export interface FailedMessageFields {
  readonly messageId: string;
  readonly sourceQueue: string;
  readonly messageType: string;
  readonly exceptionType: string;
  readonly failureMessage: string;
  readonly groupId: string;
  readonly groupTitle: string;
  /** The envelope's failure lines, one per failed attempt (none for bytes that are not an envelope). */
  readonly failureLines: readonly string[];
}

export const rawHash = (raw: Uint8Array): string => createHash('sha256').update(raw).digest('hex');

/** The envelope in `raw`, or null when the bytes are not one. */
/**
 * How much of an error-queue envelope operations read: an endpoint's limits would record what it refused
 * (its error-queue copy wraps the bytes: a third larger) or what a hostile writer put there as unread bytes,
 * its reason and headers lost. Operations take one message at a time and bound what they show and store;
 * 256 MiB is past any broker's default message size, and headers are taken whole.
 */
const ERROR_QUEUE_LIMITS = { maxMessageSize: 256 * 1024 * 1024, maxHeaderCount: Number.POSITIVE_INFINITY, maxHeadersLength: Number.POSITIVE_INFINITY };

export function readEnvelope(raw: Uint8Array): TransportMessage | null {
  try {
    return deserializeTransportMessage(raw, ERROR_QUEUE_LIMITS);
  } catch {
    return null;
  }
}

/**
 * Text a sender wrote, made storable: a NUL (which PostgreSQL's text refuses, error 22021) written as the
 * six characters `\u0000`, and, past `max` characters, cut (saying so). Searches escape the same way.
 */
export function storableText(text: string, max = Number.POSITIVE_INFINITY): string {
  const escaped = text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
  return escaped.length <= max ? escaped : `${escaped.slice(0, max)}… (cut: ${escaped.length - max} more characters)`;
}

/**
 * A key (messageId, source queue) made storable: escaped, and past MAX_KEY_CHARS its start and a hash of
 * it all, so two long keys stay two. No queue has such a name, so a record with a cut source queue is
 * never returned anywhere.
 */
function storableKey(text: string): string {
  const escaped = storableText(text);
  if (escaped.length <= MAX_KEY_CHARS) return escaped;
  return `${escaped.slice(0, MAX_KEY_CHARS - 100)}… (cut, sha256 ${rawHash(Buffer.from(escaped, 'utf8')).slice(0, 32)})`;
}

/** The record's fields for a delivery's bytes. */
export function describeFailedMessage(raw: Uint8Array): FailedMessageFields {
  const tm = readEnvelope(raw);
  if (!tm) return unreadableFields(raw, 'the error queue held bytes that are not an oncebus envelope');
  const last = tm.failureMessages.at(-1);
  const parsed = last === undefined ? { exceptionType: 'Error', message: tm.headers[FAILURE_REASON_HEADER] ?? 'no failure recorded' } : parseFailureLine(last);
  return fields({
    messageId: storableKey(tm.messageId),
    sourceQueue: storableKey(tm.headers[SOURCE_QUEUE_HEADER] ?? tm.recipientInboxWorkQueueUri),
    messageType: storableText(tm.messageType, MAX_FIELD_CHARS),
    exceptionType: storableText(tm.headers[EXCEPTION_TYPE_HEADER] ?? parsed.exceptionType, MAX_FIELD_CHARS),
    failureMessage: storableText(last ?? parsed.message, MAX_FIELD_CHARS),
    reason: storableText(parsed.message, MAX_FIELD_CHARS),
    failureLines: tm.failureMessages,
  });
}

/**
 * The fields of bytes recorded as unreadable (kept whole, deletable, never returned): not an envelope, or
 * an envelope whose fields the store could not take as they are (`reason` says which).
 */
export function unreadableFields(raw: Uint8Array, reason: string): FailedMessageFields {
  return fields({
    messageId: `unreadable-${rawHash(raw).slice(0, 32)}`,
    sourceQueue: '',
    messageType: UNREADABLE_BYTES_TYPE,
    exceptionType: 'CorruptEnvelopeError',
    failureMessage: storableText(reason, MAX_FIELD_CHARS),
    reason: storableText(reason, MAX_FIELD_CHARS),
    failureLines: [],
  });
}

function fields(f: Omit<FailedMessageFields, 'groupId' | 'groupTitle'> & { readonly reason: string }): FailedMessageFields {
  const { id, title } = failureSignature(f.messageType, f.exceptionType, f.reason);
  return {
    messageId: f.messageId,
    sourceQueue: f.sourceQueue,
    messageType: f.messageType,
    exceptionType: f.exceptionType,
    failureMessage: f.failureMessage,
    groupId: id,
    groupTitle: title,
    failureLines: f.failureLines,
  };
}
