// The dashboard's JSON API, as the page calls it.
import type { ErrorAnswer } from '../api-types.js';
import { sessionHeaders } from './session-secret.js';
import { state } from './state.js';

/** An answer other than 2xx: its status and the server's reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const isErrorAnswer = (data: unknown): data is ErrorAnswer => typeof data === 'object' && data !== null && typeof (data as { error?: unknown }).error === 'string';

/** Calls the API; actions (anything but GET) carry the session's CSRF token. */
export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...sessionHeaders() };
  if (method !== 'GET' && state.session !== null) {
    headers['Content-Type'] = 'application/json';
    headers[state.session.csrfHeader] = state.session.csrfToken;
  }
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  let data: unknown = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const why = isErrorAnswer(data) ? data.error : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, res.status === 401 ? `this dashboard needs its token: open it again with ?token=<token> (${why})` : why);
  }
  return data as T;
}
