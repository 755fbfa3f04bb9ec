import { ConfigurationError } from '../errors/errors.js';
import { maskSecrets } from '../secrets/mask-secrets.js';

/** RFC 3986's scheme: a letter, then letters, digits, '+', '-' or '.'. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** The scheme of a queue URI ('memory' for 'memory://orders'); a clear error names the setting when malformed. */
export function queueScheme(uri: string, setting = 'queue uri'): string {
  const i = uri.indexOf('://');
  const scheme = i > 0 ? uri.slice(0, i) : '';
  if (!SCHEME.test(scheme)) throw new ConfigurationError(setting, `'${maskSecrets(uri)}' is not a queue URI (expected scheme://…)`);
  return scheme.toLowerCase();
}

/**
 * Parses a queue URI with WHATWG URL rules; throws ConfigurationError naming the setting. The parts
 * transports decode (user, password, path) must hold well-formed percent escapes of UTF-8: URIs come from
 * messages too (reply addresses), and a decoder's URIError would escape every check.
 */
export function parseQueueUri(uri: string, setting = 'queue uri'): URL {
  queueScheme(uri, setting);
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw new ConfigurationError(setting, `'${maskSecrets(uri)}' is not a valid URI`, { cause });
  }
  decodeUriPart(url.username, uri, setting);
  decodeUriPart(url.password, uri, setting);
  decodeUriPart(url.pathname, uri, setting);
  return url;
}

/**
 * One percent-encoded part of a queue URI (a queue name, a vhost, a user), decoded; a malformed escape
 * (`%ZZ`) is a ConfigurationError naming the setting, not a bare URIError.
 */
export function decodeUriPart(part: string, uri: string, setting = 'queue uri'): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new ConfigurationError(setting, `'${maskSecrets(uri)}' holds a malformed percent-escape (%XX of UTF-8 expected)`, { cause, hint: "write a literal '%' as %25" });
  }
}

/** Reads a positive integer query parameter, with a default; rejects anything else by name. */
export function intParam(url: URL, name: string, fallback: number, setting: string): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new ConfigurationError(setting, `query parameter '${name}' must be a non-negative integer, got '${raw}'`);
  }
  return n;
}

/** Reads a boolean query parameter ('true'/'false'), with a default. */
export function boolParam(url: URL, name: string, fallback: boolean, setting: string): boolean {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigurationError(setting, `query parameter '${name}' must be 'true' or 'false', got '${raw}'`);
}

/**
 * A queue's address: the URI without what is not the queue's identity — credentials, query parameters
 * (consumer settings), fragment — with the scheme and host in lower case. It is what an endpoint is known
 * by (idempotence keys, subscriptions, reply addresses, headers), so it must be stable however the URI is
 * written and never carry a secret. A transport with more to normalise gives its factory an `address`.
 */
export function canonicalQueueAddress(uri: string, setting = 'queue uri'): string {
  const url = parseQueueUri(uri, setting);
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  return `${scheme}://${url.host.toLowerCase()}${url.pathname}`;
}
