import { maskHeaderValue, maskSecrets } from '../../secrets/mask-secrets.js';
import { storedScope } from '../../http/stored-scope.js';
import type { SqlStore } from '../../stores/sql/operations.js';
import { prettyJson } from '../dashboard/body-view.js';
import { findHttpKeys, type HttpKeyFound, type HttpKeyListed } from './http-key-rows.js';

// What the operations tools show of an HTTP Idempotency-Key (the CLI, the dashboard). Its key and scope come
// from clients, its stored response from the route: every text is masked and bounded, a header that carries
// a credential is hidden whole, and the body is read only when it is small enough.

/** Bodies larger than this are not read for a view (their size is shown). */
export const MAX_READ_BODY_BYTES = 1024 * 1024;
/** The body as shown: at most this many characters (cut, saying so). */
const BODY_CHARS = 256 * 1024;
/** Stored headers' JSON longer than this is not read (a route keeps a few short headers). */
const MAX_READ_HEADERS_CHARS = 64 * 1024;
const MAX_HEADERS = 100;
const NAME_CHARS = 1024;
const HEADER_VALUE_CHARS = 4096;
/** Bad UTF-8 is an error (not replacement characters): such a body is shown as base64. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A listed key: its key, scope and fingerprint masked and bounded. */
export function shownKey(k: HttpKeyListed): HttpKeyListed {
  return { ...k, scope: maskSecrets(k.scope, NAME_CHARS), key: maskSecrets(k.key, NAME_CHARS), fingerprint: maskSecrets(k.fingerprint, NAME_CHARS), attempt: maskSecrets(k.attempt, NAME_CHARS) };
}

/** How a stored body is shown: as JSON (re-indented), text, base64, or not at all, and why. */
export interface ResponseBodyView {
  readonly kind: 'json' | 'text' | 'base64' | 'empty' | 'too-large';
  readonly text: string;
  readonly bytes: number;
  readonly note: string | null;
}

/** A key with its stored response as shown: `response` null while running (nothing stored yet). */
export interface HttpKeyView extends HttpKeyListed {
  /** The key acts as absent (past expiresAt), though the purge has not removed it yet. */
  readonly expired: boolean;
  readonly response: {
    readonly status: number;
    /** `[name, value]`, masked (a credential's value hidden whole), at most 100. */
    readonly headers: readonly (readonly [string, string])[];
    readonly headersNote: string | null;
    readonly body: ResponseBodyView;
  } | null;
}

/** The stored body as shown: JSON re-indented (tokens as written), UTF-8 text, or base64; masked and cut to 256 KiB. */
export function responseBodyView(body: Uint8Array | null, bytes: number, contentType: string | undefined): ResponseBodyView {
  if (body === null) return { kind: 'too-large', text: '', bytes, note: `${bytes} bytes: too large to show here (over ${MAX_READ_BODY_BYTES})` };
  if (body.length === 0) return { kind: 'empty', text: '', bytes: 0, note: null };
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    const fits = (BODY_CHARS / 4) * 3;
    const cut = body.length > fits ? `; the first ${fits} bytes of ${body.length}` : '';
    return { kind: 'base64', text: Buffer.from(body.subarray(0, fits)).toString('base64'), bytes, note: `not UTF-8 text: shown as base64${cut}` };
  }
  const json = /\bjson\b/i.test(contentType ?? '') || /^\s*[[{]/.test(text);
  if (json && isJson(text)) {
    const pretty = prettyJson(text, BODY_CHARS);
    const cut = pretty.length >= BODY_CHARS ? `re-indented and cut to its first ${BODY_CHARS} characters` : null;
    return { kind: 'json', text: maskSecrets(pretty, BODY_CHARS), bytes, note: cut };
  }
  return { kind: 'text', text: maskSecrets(text, BODY_CHARS), bytes, note: null };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The stored headers (JSON written by the route's completion) as masked pairs; a note when they could not all be shown. */
function headersView(found: HttpKeyFound): { headers: [string, string][]; note: string | null; contentType: string | undefined } {
  if (found.headersJson === null) {
    const note = found.headersChars > 0 ? `${found.headersChars} characters of headers: too large to show here` : null;
    return { headers: [], note, contentType: undefined };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(found.headersJson);
  } catch {
    return { headers: [], note: 'the stored headers are not JSON', contentType: undefined };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { headers: [], note: 'the stored headers are not an object', contentType: undefined };
  const entries = Object.entries(parsed as Record<string, unknown>).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value) ?? ''] as const);
  const contentType = entries.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const headers = entries.slice(0, MAX_HEADERS).map(([name, value]): [string, string] => [maskSecrets(name, NAME_CHARS), maskHeaderValue(name, value, HEADER_VALUE_CHARS)]);
  const omitted = entries.length - headers.length;
  return { headers, note: omitted > 0 ? `${omitted} more headers not shown` : null, contentType };
}

/** A found key as shown, `now` deciding whether it has expired. */
export function httpKeyView(found: HttpKeyFound, now: number): HttpKeyView {
  const { headersJson: _json, headersChars: _chars, body, ...row } = found;
  const listed = shownKey(row);
  if (found.status !== 'completed' || found.responseStatus === null) return { ...listed, expired: found.expiresAt <= now, response: null };
  const headers = headersView(found);
  return {
    ...listed,
    expired: found.expiresAt <= now,
    response: { status: found.responseStatus, headers: headers.headers, headersNote: headers.note, body: responseBodyView(body, found.bodyBytes, headers.contentType) },
  };
}

/**
 * The stored scopes an operator's `scope` names: the principal as the route's `principal()` returned it (stored
 * as is, or hashed when long), and the stored form itself (`sha256:…`, as listed).
 */
export function scopesNamed(scope: string): string[] {
  const stored = storedScope(scope);
  return stored === scope ? [scope] : [scope, stored];
}

/** At most this many rows of one key are shown (one per scope). */
export const MAX_SHOWN_SCOPES = 20;

/** The key's rows as shown: in `scope` (see scopesNamed), or in every scope when none is given. */
export async function httpKeyViews(store: SqlStore, key: string, scope: string | undefined, now = Date.now()): Promise<HttpKeyView[]> {
  const found = await findHttpKeys(store, key, {
    scopes: scope === undefined ? undefined : scopesNamed(scope),
    maxBodyBytes: MAX_READ_BODY_BYTES,
    maxHeadersChars: MAX_READ_HEADERS_CHARS,
    limit: MAX_SHOWN_SCOPES,
  });
  return found.map((f) => httpKeyView(f, now));
}
