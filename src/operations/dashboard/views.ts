import { CodecRegistry } from '../../codecs/codec-registry.js';
import { ENCRYPTION_KEY_ID_HEADER } from '../../codecs/encryption.js';
import { EXCEPTION_STACK_HEADER } from '../../recoverability/failed-message-mover.js';
import type { FailedMessage, FailedMessageDetail } from '../errors/failed-message-store.js';
import { parseFailureLine } from '../errors/failure-signature.js';
import type { QueueDepth } from '../queue-depths.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';

/** How a body is shown: JSON re-indented (values kept as written), UTF-8 text, or base64 of the bytes. */
export interface BodyView {
  readonly kind: 'json' | 'text' | 'base64' | 'empty';
  readonly text: string;
  readonly bytes: number;
  /** Why it is shown that way (compressed, encrypted, not an envelope, cut short). */
  readonly note: string | null;
}

/** A record as listed (GET /api/messages): `failure` is its last failure without the line's time and endpoint. */
export interface ListedMessage extends FailedMessage {
  readonly failure: string;
}

/** What the page shows of one failed message (GET /api/messages/:id). */
export interface MessageView extends ListedMessage {
  readonly envelope: {
    readonly correlationId: string;
    readonly messageReceivedId: string;
    readonly sender: string;
    readonly recipient: string;
    readonly principal: string;
    readonly sendDate: number;
    readonly expiryDate: number;
    readonly priority: number;
    readonly compression: string;
    readonly encryption: string;
  } | null;
  /** [name, value] in the envelope's order; the stack is `stack`. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: BodyView;
  readonly failures: readonly string[];
  readonly stack: string | null;
  readonly ignoreRetention: boolean;
  readonly actions: readonly { readonly action: string; readonly by: string; readonly at: number }[];
  readonly rawBytes: number;
}

/** Bodies longer than this are cut (the rest stays in the store; `npx oncebus errors show --json` has it whole). */
export const MAX_BODY_CHARS = 256 * 1024;

/**
 * `codecs`: the algorithms (and keys) that decode bodies, as the endpoints register them. Without them
 * (or when a key is missing) a compressed or encrypted body is shown as base64, saying why.
 */
export function messageView(d: FailedMessageDetail, codecs: CodecRegistry = new CodecRegistry()): MessageView {
  const { raw, envelope, failures, stack, ignoreRetention, actions, ...record } = d;
  return {
    ...listedMessage(record),
    envelope: envelope && {
      correlationId: envelope.correlationId,
      messageReceivedId: envelope.messageReceivedId,
      sender: maskSecrets(envelope.senderInboxWorkQueueUri),
      recipient: maskSecrets(envelope.recipientInboxWorkQueueUri),
      principal: envelope.principalIdentityName,
      sendDate: envelope.sendDate,
      expiryDate: envelope.expiryDate,
      priority: envelope.priority,
      compression: envelope.compressionAlgorithm,
      encryption: envelope.encryptionAlgorithm,
    },
    headers: Object.entries(envelope?.headers ?? {})
      .filter(([name]) => name !== EXCEPTION_STACK_HEADER)
      .map(([name, value]) => [name, maskSecrets(value)] as const),
    body: bodyView(d, codecs),
    failures: failures.map((f) => maskSecrets(f)),
    stack: stack === null ? null : maskSecrets(stack),
    ignoreRetention,
    actions,
    rawBytes: raw.length,
  };
}

/** A record as listed: queues by address, never with credentials. */
export function listedMessage(m: FailedMessage): ListedMessage {
  const failureMessage = maskSecrets(m.failureMessage);
  const parsed = parseFailureLine(failureMessage);
  return { ...m, sourceQueue: maskSecrets(m.sourceQueue), errorQueue: maskSecrets(m.errorQueue), failureMessage, failure: `${parsed.exceptionType}: ${parsed.message}` };
}

export function depthView(d: QueueDepth): QueueDepth {
  return { queue: maskSecrets(d.queue), messages: d.messages, ...(d.note === undefined ? {} : { note: maskSecrets(d.note) }) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function bodyView(d: FailedMessageDetail, codecs: CodecRegistry = new CodecRegistry()): BodyView {
  const envelope = d.envelope;
  if (envelope === null) return cut('base64', Buffer.from(d.raw).toString('base64'), d.raw.length, 'these bytes are not an oncebus envelope: all of them, as base64');
  let bytes = envelope.message;
  const coded = [envelope.encryptionAlgorithm && `encrypted (${envelope.encryptionAlgorithm})`, envelope.compressionAlgorithm && `compressed (${envelope.compressionAlgorithm})`].filter(Boolean);
  // Decoded in the inbox pipeline's order (decrypt, then decompress); a missing key or algorithm leaves base64.
  try {
    if (envelope.encryptionAlgorithm) bytes = codecs.encryption(envelope.encryptionAlgorithm).decrypt(bytes, envelope.headers[ENCRYPTION_KEY_ID_HEADER] ?? '');
    if (envelope.compressionAlgorithm) bytes = codecs.compression(envelope.compressionAlgorithm).decompress(bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return cut('base64', Buffer.from(envelope.message).toString('base64'), envelope.message.length, `${coded.join(' and ')}, not decoded here (${why}): shown as base64`);
  }
  const decoded = coded.length > 0 ? `${coded.join(' and ')}: decoded here` : null;
  if (bytes.length === 0) return { kind: 'empty', text: '', bytes: 0, note: decoded };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return cut('base64', Buffer.from(bytes).toString('base64'), bytes.length, decoded ? `${decoded}; not UTF-8 text: shown as base64` : 'not UTF-8 text: shown as base64');
  }
  try {
    JSON.parse(text);
  } catch {
    return cut('text', text, bytes.length, decoded);
  }
  return cut('json', prettyJson(text), bytes.length, decoded);
}

function cut(kind: BodyView['kind'], text: string, bytes: number, note: string | null): BodyView {
  if (text.length <= MAX_BODY_CHARS) return { kind, text, bytes, note };
  const more = `the first ${MAX_BODY_CHARS} characters of ${text.length}`;
  return { kind, text: text.slice(0, MAX_BODY_CHARS), bytes, note: note ? `${note}; ${more}` : more };
}

/**
 * Valid JSON re-indented by two spaces, every token copied as written: unlike JSON.stringify(JSON.parse(…)),
 * a number past 2^53 or written `1.50` and a duplicated key are shown as the sender wrote them.
 */
export function prettyJson(json: string): string {
  let out = '';
  let depth = 0;
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      out += json.slice(i, j + 1);
      i = j;
    } else if (c === '{' || c === '[') {
      // An empty object or array stays on one line.
      const close = c === '{' ? '}' : ']';
      let j = i + 1;
      while (j < json.length && /\s/.test(json[j]!)) j++;
      if (json[j] === close) {
        out += c + close;
        i = j;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') out += `,${newline()}`;
    else if (c === ':') out += ': ';
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}
