/** The request header that carries the key (IETF httpapi "The Idempotency-Key HTTP Header Field"). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on a response replayed from storage (the route did not run again). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Longest key kept, after unquoting. */
export const MAX_KEY_LENGTH = 255;
/** Longest header value read at all: anything longer is refused before it is decoded. */
const MAX_HEADER_LENGTH = 2 * MAX_KEY_LENGTH + 2;

/** What a request's Idempotency-Key header says: no key, a usable key, or why it is unusable. */
export type ParsedIdempotencyKey = { readonly kind: 'absent' } | { readonly kind: 'valid'; readonly key: string } | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads the header as the draft writes it, a Structured Field sf-string (`"…"`, with `\"` and `\\`
 * escapes) and, leniently, as a bare token of visible ASCII. The key is 1..255 printable ASCII characters
 * after unquoting. `value` is as Node gives it: undefined, one string, or several (the header repeated).
 */
export function parseIdempotencyKey(value: string | readonly string[] | undefined): ParsedIdempotencyKey {
  if (value === undefined) return { kind: 'absent' };
  if (typeof value !== 'string') {
    return value.length === 1 ? parseIdempotencyKey(value[0]) : invalid('the request has more than one Idempotency-Key header');
  }
  if (value.length > MAX_HEADER_LENGTH) return invalid(`the Idempotency-Key header is longer than ${MAX_HEADER_LENGTH} characters`);
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
  const key = trimmed.startsWith('"') ? unquote(trimmed) : bareToken(trimmed);
  if (typeof key !== 'string') return key;
  if (key.length === 0) return invalid('the Idempotency-Key is empty');
  if (key.length > MAX_KEY_LENGTH) return invalid(`the Idempotency-Key is longer than ${MAX_KEY_LENGTH} characters`);
  return { kind: 'valid', key };
}

/** An sf-string: `"`, characters 0x20–0x7E with `"` and `\` escaped by `\`, `"`, nothing after. */
function unquote(text: string): string | ParsedIdempotencyKey {
  let key = '';
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      return i === text.length - 1 ? key : invalid('the Idempotency-Key has characters after its closing quote');
    }
    if (c === 0x5c) {
      const next = text[++i];
      if (next !== '"' && next !== '\\') return invalid('the Idempotency-Key has a backslash that escapes neither " nor \\');
      key += next;
    } else if (c < 0x20 || c > 0x7e) {
      return invalid('the Idempotency-Key has a character that is not printable ASCII');
    } else key += text[i];
  }
  return invalid('the Idempotency-Key starts with a quote but has no closing quote');
}

/** A bare key: visible ASCII only (no spaces, quotes or commas: a repeated header joined by ", " is refused). */
function bareToken(text: string): string | ParsedIdempotencyKey {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c > 0x7e || c === 0x22 || c === 0x2c) {
      return invalid('the Idempotency-Key is neither a quoted string ("…") nor a token of visible ASCII characters without spaces or commas');
    }
  }
  return text;
}

function invalid(reason: string): ParsedIdempotencyKey {
  return { kind: 'invalid', reason };
}
