import { ConfigurationError } from '../errors/errors.js';
import { maskSecrets } from '../secrets/mask-secrets.js';

/** The scheme of a queue URI ('memory' for 'memory://orders'); a clear error names the setting when malformed. */
export function queueScheme(uri: string, setting = 'queue uri'): string {
  const i = uri.indexOf('://');
  if (i <= 0) throw new ConfigurationError(setting, `'${maskSecrets(uri)}' is not a queue URI (expected scheme://…)`);
  return uri.slice(0, i).toLowerCase();
}

/** Parses a queue URI with WHATWG URL rules; throws ConfigurationError naming the setting. */
export function parseQueueUri(uri: string, setting = 'queue uri'): URL {
  queueScheme(uri, setting);
  try {
    return new URL(uri);
  } catch (cause) {
    throw new ConfigurationError(setting, `'${maskSecrets(uri)}' is not a valid URI`, { cause });
  }
}

/**
 * One percent-encoded part of a queue URI (a queue name, a vhost, a user), decoded; a malformed escape
 * (`%ZZ`) is a ConfigurationError naming the setting, not a bare URIError.
 */
export function decodeUriPart(part: string, uri: string, setting = 'queue uri'): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new ConfigurationError(setting, `'${maskSecrets(uri)}' holds a malformed percent-escape`, { cause, hint: "write a literal '%' as %25" });
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
