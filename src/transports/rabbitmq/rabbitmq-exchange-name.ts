import { createHash } from 'node:crypto';

/** Every exchange oncebus declares starts with it; exchange URIs name no other (see parseRabbitMqUri). */
export const EXCHANGE_PREFIX = 'oncebus.';
/** RabbitMQ names (queues, exchanges) hold at most 255 bytes of UTF-8. */
const MAX_NAME_BYTES = 255;
/** '~' and 16 hex digits of the type's SHA-256: what keeps two long types that share a beginning apart. */
const HASH_SUFFIX_BYTES = 17;

/**
 * The fanout exchange of a message type: `oncebus.<type>`. A name longer than RabbitMQ allows keeps as much
 * of the type as fits (whole characters) and ends with a hash of the whole type, so it stays one per type.
 */
export function exchangeNameFor(messageType: string): string {
  const name = EXCHANGE_PREFIX + messageType;
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const room = MAX_NAME_BYTES - HASH_SUFFIX_BYTES;
  let kept = '';
  let bytes = 0;
  for (const ch of name) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > room) break;
    kept += ch;
    bytes += n;
  }
  return `${kept}~${createHash('sha256').update(messageType).digest('hex').slice(0, 16)}`;
}
