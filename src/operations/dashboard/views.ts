import { CodecRegistry } from '../../codecs/codec-registry.js';

import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { FailedMessage, FailedMessageSummary, FailureGroup } from '../errors/failed-message-types.js';
import { readEnvelope } from '../errors/failed-message-record.js';
import { parseFailureLine } from '../errors/failure-signature.js';
import type { QueueDepth } from '../queue-depths.js';
import { shownGroup, shownMessage } from '../shown.js';
import type { ListedMessage, MessageView } from './api-types.js';
import { bodyView } from './body-view.js';
import { EXCEPTION_STACK_HEADER } from '../../envelope/oncebus-headers.js';

// What the dashboard's API answers: records as the page shows them, every field a sender wrote masked and
// bounded (a 20 MB header costs a poll no more than a short one).

/** A header's name and value, each failure line: at most this many characters. */
const HEADER_NAME_CHARS = 256;
const HEADER_VALUE_CHARS = 16 * 1024;
const FAILURE_CHARS = 4096;
const STACK_CHARS = 64 * 1024;
/** At most this many headers and failure lines (the last ones) are shown; the rest are counted. */
const MAX_HEADERS = 100;
const MAX_FAILURES = 100;
const NAME_CHARS = 1024;
/** Bytes past this are not read for a view at all (the record's fields still are). */
export const MAX_VIEWED_RAW_BYTES = 128 * 1024 * 1024;

/** What a view shows of a failed message's bytes: decoded once, bounded, kept while the bytes stay the same. */
export type EnvelopeView = Pick<MessageView, 'envelope' | 'headers' | 'headersOmitted' | 'body' | 'failures' | 'failuresOmitted' | 'stack'>;

const name = (text: string): string => maskSecrets(text, NAME_CHARS);

/**
 * The view of a failed message's bytes (`raw`; null: too large to be read for a view). `codecs`: the
 * algorithms (and keys) that decode bodies, as the endpoints register them.
 */
export function envelopeView(raw: Uint8Array | null, rawBytes: number, codecs: CodecRegistry = new CodecRegistry()): EnvelopeView {
  if (raw === null) {
    const note = `${rawBytes} bytes: too large to show here; npx oncebus errors show --json has them`;
    return { envelope: null, headers: [], headersOmitted: 0, body: { kind: 'too-large', text: '', bytes: rawBytes, note }, failures: [], failuresOmitted: 0, stack: null };
  }
  const envelope = readEnvelope(raw);
  const headers = Object.entries(envelope?.headers ?? {}).filter(([header]) => header !== EXCEPTION_STACK_HEADER);
  const failures = envelope?.failureMessages ?? [];
  const stack = envelope?.headers[EXCEPTION_STACK_HEADER];
  return {
    envelope: envelope && {
      correlationId: name(envelope.correlationId),
      messageReceivedId: name(envelope.messageReceivedId),
      sender: name(envelope.senderInboxWorkQueueUri),
      recipient: name(envelope.recipientInboxWorkQueueUri),
      principal: name(envelope.principalIdentityName),
      sendDate: envelope.sendDate,
      expiryDate: envelope.expiryDate,
      priority: envelope.priority,
      compression: name(envelope.compressionAlgorithm),
      encryption: name(envelope.encryptionAlgorithm),
    },
    headers: headers.slice(0, MAX_HEADERS).map(([header, value]) => [maskSecrets(header, HEADER_NAME_CHARS), maskSecrets(String(value), HEADER_VALUE_CHARS)] as const),
    headersOmitted: Math.max(0, headers.length - MAX_HEADERS),
    body: bodyView(envelope, raw, codecs),
    failures: failures.slice(-MAX_FAILURES).map((f) => maskSecrets(f, FAILURE_CHARS)),
    failuresOmitted: Math.max(0, failures.length - MAX_FAILURES),
    stack: stack === undefined ? null : maskSecrets(stack, STACK_CHARS),
  };
}

/** A failed message as its page shows it: its record (read at every poll) and the view of its bytes. */
export function messageView(summary: FailedMessageSummary, bytes: EnvelopeView): MessageView {
  const { rawBytes, rawHash: _hash, ignoreRetention, actions, ...record } = summary;
  return { ...listedMessage(record), ...bytes, ignoreRetention, actions: actions.map((a) => ({ ...a, by: name(a.by) })), rawBytes };
}

/** A record as listed: masked and bounded, queues by address. */
export function listedMessage(m: FailedMessage): ListedMessage {
  const shown = shownMessage(m);
  const parsed = parseFailureLine(shown.failureMessage);
  return { ...shown, failure: `${parsed.exceptionType}: ${parsed.message}` };
}

/** A group as listed: its title (the failure's text) masked and bounded. */
export const listedGroup = (g: FailureGroup): FailureGroup => shownGroup(g);

export function depthView(d: QueueDepth): QueueDepth {
  return { queue: name(d.queue), messages: d.messages, ...(d.note === undefined ? {} : { note: maskSecrets(d.note, FAILURE_CHARS) }) };
}
