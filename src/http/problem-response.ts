import type { CapturedResponse } from './route-response.js';

/** An RFC 9457 problem document for the add-on's own answers (400, 409, 422): it says what is wrong. */
export function problemResponse(status: 400 | 409 | 422, title: string, detail: string, headers: Record<string, string> = {}): CapturedResponse {
  const body = Buffer.from(JSON.stringify({ type: 'about:blank', title, status, detail }), 'utf8');
  return { status, headers: { 'content-type': 'application/problem+json', ...headers }, body };
}
