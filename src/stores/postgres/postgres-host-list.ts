import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';

/** One server of a multi-host connection string. */
export interface PostgresHost {
  readonly host: string;
  readonly port: number;
}

/** What a session must accept (libpq's target_session_attrs), of the values a writing store can use. */
export type TargetSessionAttrs = 'read-write' | 'primary';

/** A connection string naming several servers, split: the string pg is given, and the hosts to try. */
export interface PostgresHostList {
  /** The connection string with the first host only and target_session_attrs removed (pg knows neither). */
  readonly connectionString: string;
  readonly hosts: readonly PostgresHost[];
  readonly targetSessionAttrs: TargetSessionAttrs;
  /** The connection string naming this one host (pg reads host and port from a string before its config). */
  forHost(host: PostgresHost): string;
}

/** More hosts than this in one string is a mistake, not a cluster (each is tried in turn on every failover). */
const MAX_HOSTS = 16;
const URI = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/s;

/**
 * libpq's multi-host form, `postgres://user:pw@h1:5432,h2:5433/db?target_session_attrs=read-write`, which
 * node-postgres (8.x) does not read: null for a string naming one host without target_session_attrs (pg
 * connects as it always did). Several hosts are tried in their order and the first that accepts writes
 * is used (see PostgresHostRouter); the default, and the only values accepted, are `read-write` and
 * `primary`: a store writes, so `any`, `read-only` or `standby` would only find out at its first insert.
 * Only these hosts are ever connected to, with the string's credentials: none is learned from a server.
 */
export function parseHostList(connectionString: string, defaultPort = 5432): PostgresHostList | null {
  const match = URI.exec(connectionString);
  if (!match) return null; // a libpq key=value string or a socket path: pg reads it as before
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostPart = authority.slice(at + 1);
  const query = rest.indexOf('?');
  const params = new URLSearchParams(query >= 0 ? rest.slice(query + 1) : '');
  const attrs = params.get('target_session_attrs');
  const names = hostPart.split(',');
  if (names.length === 1 && attrs === null) return null;
  const where = maskSecrets(connectionString);
  if (attrs !== null && attrs !== 'read-write' && attrs !== 'primary') {
    throw new ConfigurationError('connectionString', `target_session_attrs=${attrs} in ${where}: oncebus writes to its store`, {
      hint: 'use target_session_attrs=read-write (the default with several hosts) or primary',
    });
  }
  if (names.length > MAX_HOSTS) {
    throw new ConfigurationError('connectionString', `${names.length} hosts in ${where}; at most ${MAX_HOSTS}`, { hint: 'list the servers of one cluster' });
  }
  const hosts = names.map((name) => parseHost(name, defaultPort, where));
  params.delete('target_session_attrs');
  const path = query >= 0 ? rest.slice(0, query) : rest;
  const search = params.toString();
  const tail = `${path}${search ? `?${search}` : ''}`;
  return {
    connectionString: `${scheme}${userInfo}${names[0]!}${tail}`,
    forHost: (host) => `${scheme}${userInfo}${hostLabel(host)}${tail}`,
    hosts,
    targetSessionAttrs: (attrs ?? 'read-write') as TargetSessionAttrs,
  };
}

function parseHost(name: string, defaultPort: number, where: string): PostgresHost {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(name); // [::1]:5432
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(name);
  const found = bracketed ?? plain;
  const port = found?.[2] === undefined ? defaultPort : Number(found[2]);
  if (!found || !(port >= 1 && port <= 65535)) {
    throw new ConfigurationError('connectionString', `'${name.slice(0, 100)}' is not a host[:port] in ${where}`, { hint: 'write h1:5432,h2:5432' });
  }
  return { host: decodeURIComponent(found[1]!), port };
}

/** host:port, for messages (an IPv6 address bracketed). */
export const hostLabel = (h: PostgresHost): string => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`);
