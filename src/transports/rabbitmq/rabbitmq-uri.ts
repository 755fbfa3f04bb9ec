import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { boolParam, decodeUriPart, intParam, parseQueueUri } from '../../transport/queue-uri.js';
import { EXCHANGE_PREFIX } from './rabbitmq-exchange-name.js';

/** A rabbitmq:// queue URI, parsed. */
export interface RabbitMqAddress {
  /** amqp:// or amqps:// URL of the broker (the first node of a host list) and vhost, credentials included. */
  readonly brokerUrl: string;
  /** The same for each node of the host list, in the order written (one entry for a single broker). */
  readonly brokerUrls: readonly string[];
  /** The broker and vhost, without credentials or settings: queues with the same one share a connection (the first URI's heartbeat). */
  readonly brokerKey: string;
  /** The user and password the URI carries, if it names a user. */
  readonly credentials: { readonly user: string; readonly password: string } | null;
  /**
   * The queue's address (see IQueueFactory.address): rabbitmq[s]://host[:port]/[vhost/]queue, with the
   * declaration's own parameters (durable=false, priority) but no credentials, no consumer settings
   * (prefetch, heartbeat) and no default port — the same however the URI was written.
   */
  readonly address: string;
  /** scheme://host[:port] of the broker (no vhost, no credentials): what its credentials are given to. */
  readonly connectionScope: string;
  /** The same with the password hidden, for errors and logs. */
  readonly safeBrokerUrl: string;
  /** The queue's name; for an exchange URI (`?exchange=true`), the exchange's. */
  readonly queue: string;
  /** The vhost ('/' by default). */
  readonly vhost: string;
  /** An exchange URI: a publish-only destination, the exchange of one message type (see rabbitmq-exchange-name.ts). */
  readonly exchange: boolean;
  readonly prefetch: number;
  readonly durable: boolean;
  /** x-max-priority; 0 = not a priority queue. */
  readonly maxPriority: number;
  /** x-queue-type: 'classic' (the default; declared without the argument) or 'quorum' (replicated, Raft). */
  readonly queueType: RabbitMqQueueType;
  readonly heartbeatSeconds: number;
  readonly tls: boolean;
}

/** The queue types oncebus declares (streams are not queues a consumer acknowledges one by one). */
export type RabbitMqQueueType = 'classic' | 'quorum';
const QUEUE_TYPES: readonly RabbitMqQueueType[] = ['classic', 'quorum'];

const KNOWN = new Set(['prefetch', 'durable', 'priority', 'heartbeat', 'tls', 'amqps', 'exchange', 'queueType']);
/** A host list holds at most this many nodes (a URI comes from messages too: bounded). */
const MAX_HOSTS = 16;
// AMQP 0-9-1 field widths: prefetch-count and heartbeat are 16-bit; RabbitMQ caps x-max-priority at 255.
const MAX_SHORT = 65_535;
const MAX_PRIORITY = 255;
const MAX_QUEUE_NAME_BYTES = 255;

/**
 * `rabbitmq://[user:pass@]host[:port][,host2[:port2]…][/vhost]/queue[?prefetch=…&durable=…&priority=…&heartbeat=…&amqps=…&queueType=…]`
 * (`rabbitmqs://`, `amqps=true` or `tls=true` = TLS; `exchange=true`: the publish-only exchange of a message type). Defaults are the safe ones: durable queue, prefetch
 * 20, heartbeat 30 s, guest/guest only when no user is given, a classic queue. Unknown parameters are refused, so a typo
 * (`prefech=`) cannot silently fall back to a default. Several hosts, comma-separated, are the nodes of
 * one cluster: one connection, to the first node that answers, the others tried in turn when it is lost.
 */
export function parseRabbitMqUri(uri: string, setting = 'queue uri'): RabbitMqAddress {
  const { first, hosts } = splitHostList(uri, setting);
  const url = parseQueueUri(first, setting);
  const scheme = url.protocol.replace(/:$/, '');
  const bad = (why: string) => new ConfigurationError(setting, `'${maskSecrets(uri)}': ${why}`);
  if (scheme !== 'rabbitmq' && scheme !== 'rabbitmqs') throw bad('not a rabbitmq:// or rabbitmqs:// URI');
  if (!url.hostname) throw bad('no broker host (rabbitmq://host[:port][/vhost]/queue)');
  for (const name of url.searchParams.keys()) {
    if (!KNOWN.has(name)) throw bad(`unknown parameter '${name}' (known: ${[...KNOWN].join(', ')})`);
  }

  const segments = url.pathname.split('/').filter(Boolean).map((part) => decodeUriPart(part, uri, setting));
  if (segments.length < 1 || segments.length > 2) throw bad('expected rabbitmq://host[:port][/vhost]/queue');
  const queue = segments[segments.length - 1]!;
  const vhost = segments.length === 2 ? segments[0]! : '/';
  if (Buffer.byteLength(queue) > MAX_QUEUE_NAME_BYTES) throw bad(`queue name longer than ${MAX_QUEUE_NAME_BYTES} bytes`);
  if (queue.startsWith('amq.')) throw bad(`queue names starting with 'amq.' are reserved by the broker`);

  const prefetch = intParam(url, 'prefetch', 20, setting);
  // prefetch 0 means "unlimited" in AMQP: a slow endpoint would buffer the whole queue in memory.
  if (prefetch < 1 || prefetch > MAX_SHORT) throw bad(`prefetch must be 1..${MAX_SHORT} (0 would be unlimited)`);
  const maxPriority = intParam(url, 'priority', 0, setting);
  if (maxPriority > MAX_PRIORITY) throw bad(`priority (x-max-priority) must be 0..${MAX_PRIORITY}`);
  const heartbeatSeconds = intParam(url, 'heartbeat', 30, setting);
  if (heartbeatSeconds > MAX_SHORT) throw bad(`heartbeat must be 0..${MAX_SHORT} seconds`);
  const tls = scheme === 'rabbitmqs' || boolParam(url, 'amqps', false, setting) || boolParam(url, 'tls', false, setting);
  const queueType = (url.searchParams.get('queueType') ?? 'classic') as RabbitMqQueueType;
  if (!QUEUE_TYPES.includes(queueType)) throw bad(`queueType must be ${QUEUE_TYPES.join(' or ')}, got '${queueType}'`);

  // No user: RabbitMQ's own default (guest/guest, loopback only). A user without a password gets none.
  const credentials = url.username ? { user: decodeUriPart(url.username, uri, setting), password: decodeUriPart(url.password, uri, setting) } : null;
  const user = credentials?.user ?? 'guest';
  const pass = credentials?.password ?? 'guest';
  const vhostPart = `/${encodeURIComponent(vhost)}?heartbeat=${heartbeatSeconds}`;
  // Host names compare without case, and the default port is the same broker as no port.
  const defaultPort = tls ? '5671' : '5672';
  const nodes = hosts.map((h) => ({ host: h.hostname.toLowerCase(), port: h.port ? `:${h.port}` : '', addressPort: h.port && h.port !== defaultPort ? `:${h.port}` : '' }));
  const urlHosts = hosts.map((h) => `${h.hostname}${h.port ? `:${h.port}` : ''}`);
  const base = (host: string) => `${tls ? 'amqps' : 'amqp'}://${encodeURIComponent(user)}:%PASS%@${host}${vhostPart}`;
  const durable = boolParam(url, 'durable', true, setting);
  // An exchange URI names one of oncebus's own exchanges, never another application's: a destination a
  // message names (a reply address) reaches no more than a queue URI could.
  const exchange = boolParam(url, 'exchange', false, setting);
  if (exchange && !queue.startsWith(EXCHANGE_PREFIX)) throw bad(`an exchange URI names an oncebus exchange ('${EXCHANGE_PREFIX}…')`);
  if (exchange && (!durable || maxPriority > 0 || queueType !== 'classic')) {
    throw bad("an exchange URI takes neither durable=false, priority nor queueType (the subscribers' queues have those)");
  }
  // RabbitMQ 3.x quorum queues have no priorities (x-max-priority is refused) and are always durable.
  if (queueType === 'quorum' && maxPriority > 0) {
    throw bad('a quorum queue has no priorities (RabbitMQ refuses x-max-priority on it): drop priority, or keep a classic queue');
  }
  if (queueType === 'quorum' && !durable) throw bad('a quorum queue is always durable: drop durable=false');
  // The nodes as a set, in sorted order: the address is the endpoint's identity (idempotence keys!) and the
  // scope is who gets its credentials — neither may depend on the order a worker lists the nodes in.
  const hostList = nodes
    .map((n) => `${n.host}${n.addressPort}`)
    .sort()
    .join(',');
  const declared = [
    durable ? '' : 'durable=false',
    maxPriority > 0 ? `priority=${maxPriority}` : '',
    queueType === 'classic' ? '' : `queueType=${queueType}`,
    exchange ? 'exchange=true' : '',
  ]
    .filter(Boolean)
    .join('&');
  const path = `${vhost === '/' ? '' : `${encodeURIComponent(vhost)}/`}${encodeURIComponent(queue)}`;
  const brokerUrls = urlHosts.map((h) => base(h).replace('%PASS%', encodeURIComponent(pass)));
  return {
    brokerUrl: brokerUrls[0]!,
    brokerUrls,
    // No heartbeat: an address (a reply's, an exchange's) carries none, and must reach the connection the endpoint made.
    brokerKey: `${tls ? 'amqps' : 'amqp'}://${hostList}/${encodeURIComponent(vhost)}`,
    credentials,
    address: `${tls ? 'rabbitmqs' : 'rabbitmq'}://${hostList}/${path}${declared ? `?${declared}` : ''}`,
    connectionScope: `${tls ? 'rabbitmqs' : 'rabbitmq'}://${hostList}`,
    safeBrokerUrl: base(urlHosts.join(',')).replace('%PASS%', '***'),
    queue,
    vhost,
    exchange,
    prefetch,
    durable,
    maxPriority,
    queueType,
    heartbeatSeconds,
    tls,
  };
}

/**
 * Splits `scheme://[userinfo@]h1[:p1],h2[:p2]…/rest` into the URI with its first host only (which the
 * URL parser reads as usual) and every host, each checked as a URL host. A URL parser takes one host;
 * the list is RabbitMQ's own (and amqplib's users') way of naming the nodes of a cluster.
 */
function splitHostList(uri: string, setting: string): { first: string; hosts: URL[] } {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(uri);
  if (!match || !match[2]!.includes(',')) {
    const url = parseQueueUri(uri, setting);
    return { first: uri, hosts: [url] };
  }
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const list = authority.slice(at + 1).split(',');
  const bad = (why: string) => new ConfigurationError(setting, `'${maskSecrets(uri)}': ${why}`);
  if (list.length > MAX_HOSTS) throw bad(`at most ${MAX_HOSTS} hosts in a host list`);
  const hosts = list.map((host) => {
    if (!host) throw bad('an empty host in the host list (h1:port,h2:port,…)');
    const url = parseQueueUri(`${scheme}${host}`, setting);
    if (!url.hostname || url.username || url.pathname.replace('/', '') !== '') throw bad(`'${host}' is not a host[:port] of the host list`);
    return url;
  });
  const keys = hosts.map((h) => `${h.hostname.toLowerCase()}:${h.port}`);
  if (new Set(keys).size !== keys.length) throw bad('a host is named twice in the host list');
  return { first: `${scheme}${userinfo}${list[0]}${rest}`, hosts };
}
