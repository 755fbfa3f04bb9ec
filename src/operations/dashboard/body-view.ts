import { CodecRegistry } from '../../codecs/codec-registry.js';
import { OncebusError } from '../../errors/oncebus-error.js';
import { ENCRYPTION_KEY_ID_HEADER } from '../../codecs/encryption.js';
import type { TransportMessage } from '../../envelope/transport-message.js';
import type { BodyView } from './api-types.js';

export type { BodyView } from './api-types.js';

// A body is the sender's: any size, any nesting, any compression ratio. What is shown of it is cut before it
// is decoded or re-indented, and a compressed body is inflated to a bound, so a view costs the same whatever
// the message holds.

/** Bodies longer than this are cut (the rest stays in the store; `npx oncebus errors show --json` has it whole). */
export const MAX_BODY_CHARS = 256 * 1024;
/** A compressed body is inflated to at most this many bytes; past it, it is too large to show. */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
/** Indentation stops deepening here: a body nested 20,000 deep would otherwise be mostly spaces. */
const MAX_INDENT_DEPTH = 32;

/** Raised when a body inflates past MAX_INFLATED_BYTES. */
class TooLargeToShow extends Error {}

/**
 * The body of `envelope` (or, when the bytes `raw` are none, those bytes). `codecs`: the algorithms (and
 * keys) that decode bodies, as the endpoints register them. Without them
 * (or when a key is missing) a compressed or encrypted body is shown as base64, saying why.
 */
export function bodyView(envelope: TransportMessage | null, raw: Uint8Array, codecs: CodecRegistry = new CodecRegistry()): BodyView {
  if (envelope === null) return base64(raw, 'these bytes are not an oncebus envelope: shown as base64');
  let bytes = envelope.message;
  const coded = [envelope.encryptionAlgorithm && `encrypted (${envelope.encryptionAlgorithm})`, envelope.compressionAlgorithm && `compressed (${envelope.compressionAlgorithm})`].filter(Boolean).join(' and ');
  // Decoded in the inbox pipeline's order (decrypt, then decompress); a missing key or algorithm leaves base64.
  try {
    if (envelope.encryptionAlgorithm) bytes = codecs.encryption(envelope.encryptionAlgorithm).decrypt(bytes, envelope.headers[ENCRYPTION_KEY_ID_HEADER] ?? '');
    if (envelope.compressionAlgorithm) bytes = inflate(codecs, envelope.compressionAlgorithm, bytes);
  } catch (error) {
    if (error instanceof TooLargeToShow) {
      const note = `${coded}: too large to show (it inflates past ${MAX_INFLATED_BYTES / 1024 / 1024} MiB); npx oncebus errors show --json has the body as stored`;
      return { kind: 'too-large', text: '', bytes: envelope.message.length, note };
    }
    const why = error instanceof Error ? error.message : String(error);
    return base64(envelope.message, `${coded}, not decoded here (${why}): shown as base64`);
  }
  const decoded = coded ? `${coded}: decoded here` : null;
  if (bytes.length === 0) return { kind: 'empty', text: '', bytes: 0, note: decoded };
  const cut = bytes.length > MAX_BODY_CHARS;
  const shown = cut ? bytes.subarray(0, MAX_BODY_CHARS) : bytes;
  const cutNote = cut ? `the first ${MAX_BODY_CHARS} bytes of ${bytes.length}` : null;
  const note = (...parts: (string | null)[]) => parts.filter((p) => p !== null).join('; ') || null;
  let text: string;
  try {
    // A cut may split a character: streaming leaves its first bytes out instead of failing.
    text = new TextDecoder('utf-8', { fatal: true }).decode(shown, { stream: cut });
  } catch {
    return base64(bytes, note(decoded, 'not UTF-8 text: shown as base64'));
  }
  if (cut) {
    const looksJson = /^\s*[[{]/.test(text);
    return { kind: looksJson ? 'json' : 'text', text: looksJson ? prettyJson(text) : text, bytes: bytes.length, note: note(decoded, cutNote, looksJson ? 're-indented as JSON, not checked whole' : null) };
  }
  if (!isJson(text)) return { kind: 'text', text, bytes: bytes.length, note: decoded };
  return { kind: 'json', text: prettyJson(text), bytes: bytes.length, note: decoded };
}

/** Inflated through the codecs' bounded path (gzip stops at the bound as it goes), as an endpoint inflates. */
function inflate(codecs: CodecRegistry, name: string, bytes: Uint8Array): Uint8Array {
  try {
    return codecs.decompress(name, bytes, MAX_INFLATED_BYTES);
  } catch (error) {
    if (OncebusError.is(error) && error.code === 'ONCEBUS_MESSAGE_TOO_LARGE') throw new TooLargeToShow();
    throw error;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Not JSON, or nested past what the parser takes: shown as text either way.
    return false;
  }
}

/** The bytes as base64, cut to MAX_BODY_CHARS (of base64) before they are encoded. */
function base64(bytes: Uint8Array, note: string | null): BodyView {
  const fits = (MAX_BODY_CHARS / 4) * 3;
  const cut = bytes.length > fits;
  const text = Buffer.from(bytes.subarray(0, fits)).toString('base64');
  const more = cut ? `the first ${fits} bytes of ${bytes.length}` : null;
  return { kind: 'base64', text, bytes: bytes.length, note: [note, more].filter((p) => p !== null).join('; ') || null };
}

/**
 * Valid JSON re-indented by two spaces, every token copied as written: unlike JSON.stringify(JSON.parse(…)),
 * a number past 2^53 or written `1.50` and a duplicated key are shown as the sender wrote them. At most
 * `maxChars` come out, and indentation stops deepening at 32 levels.
 */
export function prettyJson(json: string, maxChars = MAX_BODY_CHARS): string {
  let out = '';
  let depth = 0;
  const newline = () => `\n${'  '.repeat(Math.min(Math.max(depth, 0), MAX_INDENT_DEPTH))}`;
  for (let i = 0; i < json.length && out.length < maxChars; i++) {
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
  return out.length > maxChars ? out.slice(0, maxChars) : out;
}
