/**
 * What an idempotent route returns: the status, a body and headers. A body that is a string is sent as
 * UTF-8 (text/plain unless a content-type says otherwise), bytes as they are (application/octet-stream unless
 * …), anything else as JSON (application/json). The bytes sent the first time are the bytes stored, and a
 * replay sends exactly those.
 */
export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string | number>>;
}

/** A response as bytes: what is sent, and (its kept headers) what is stored and replayed. */
export interface CapturedResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** The headers kept with every stored response (besides the route's `keptHeaders`). */
export const ALWAYS_KEPT_HEADERS: readonly string[] = ['content-type', 'location'];

/** Turns what the route returned into bytes and headers; refuses a status that is not an HTTP status. */
export function captureResponse(response: RouteResponse): CapturedResponse {
  if (typeof response !== 'object' || response === null || !Number.isInteger(response.status) || response.status < 200 || response.status > 599) {
    throw new TypeError(`an idempotent route must return { status, body?, headers? } with a status from 200 to 599 (got ${describe(response)})`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const { body, type } = encodeBody(response.body);
  if (type !== null && headers['content-type'] === undefined) headers['content-type'] = type;
  return { status: response.status, headers, body };
}

/** The headers of `response` stored with it: content-type, location and the route's own list. */
export function keptHeaders(response: CapturedResponse, extra: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of [...ALWAYS_KEPT_HEADERS, ...extra.map((n) => n.toLowerCase())]) {
    const value = response.headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

function encodeBody(body: unknown): { body: Uint8Array; type: string | null } {
  if (body === undefined || body === null) return { body: new Uint8Array(0), type: null };
  if (body instanceof Uint8Array) return { body, type: 'application/octet-stream' };
  if (typeof body === 'string') return { body: Buffer.from(body, 'utf8'), type: 'text/plain; charset=utf-8' };
  return { body: Buffer.from(JSON.stringify(body), 'utf8'), type: 'application/json; charset=utf-8' };
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const status = (value as { status?: unknown }).status;
  return `status ${typeof status === 'number' ? status : typeof status}`;
}
