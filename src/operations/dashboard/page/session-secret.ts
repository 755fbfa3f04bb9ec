// A dashboard with a token hands the page its session's secret once, in the address's fragment (no server
// sees a fragment): kept in this tab's sessionStorage, which belongs to this origin — port included, unlike
// cookies, which every server on the host receives — and sent with every API call.

const KEY = 'oncebus-dashboard-session';

/** Takes a `#session=…` the dashboard redirected to, out of the address (and the history). */
export function takeSessionFromAddress(): void {
  const handed = /^#session=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!handed) return;
  sessionStorage.setItem(KEY, handed[1]!);
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}

/** The Authorization header for the API, when this tab has a session. */
export function sessionHeaders(): Record<string, string> {
  const secret = sessionStorage.getItem(KEY);
  return secret === null ? {} : { Authorization: `Bearer ${secret}` };
}
