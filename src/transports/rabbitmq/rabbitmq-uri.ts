import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { boolParam, decodeUriPart, intParam, parseQueueUri } from '../../transport/queue-uri.js';
import { EXCHANGE_PREFIX } from './rabbitmq-exchange-name.js';

/** A rabbitmq:// queue URI, parsed. */
export interface RabbitMqAddress {
  /** amqp:// or amqps:// URL of the broker and vhost, credentials included. */
  readonly brokerUrl: string;
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
  readonly heartbeatSeconds: number;
  readonly tls: boolean;
}

const KNOWN = new Set(['prefetch', 'durable', 'priority', 'heartbeat', 'tls', 'amqps', 'exchange']);
// AMQP 0-9-1 field widths: prefetch-count and heartbeat are 16-bit; RabbitMQ caps x-max-priority at 255.
const MAX_SHORT = 65_535;
const MAX_PRIORITY = 255;
const MAX_QUEUE_NAME_BYTES = 255;

/**
 * `rabbitmq://[user:pass@]host[:port][/vhost]/queue[?prefetch=…&durable=…&priority=…&heartbeat=…&amqps=…]`
 * (`rabbitmqs://`, `amqps=true` or `tls=true` = TLS; `exchange=true`: the publish-only exchange of a message type). Defaults are the safe ones: durable queue, prefetch
 * 20, heartbeat 30 s, guest/guest only when no user is given. Unknown parameters are refused, so a typo
 * (`prefech=`) cannot silently fall back to a default.
 */
export function parseRabbitMqUri(uri: string, setting = 'queue uri'): RabbitMqAddress {
  const url = parseQueueUri(uri, setting);
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

  // No user: RabbitMQ's own default (guest/guest, loopback only). A user without a password gets none.
  const credentials = url.username ? { user: decodeUriPart(url.username, uri, setting), password: decodeUriPart(url.password, uri, setting) } : null;
  const user = credentials?.user ?? 'guest';
  const pass = credentials?.password ?? 'guest';
  const port = url.port ? `:${url.port}` : '';
  const vhostPart = `/${encodeURIComponent(vhost)}?heartbeat=${heartbeatSeconds}`;
  const base = `${tls ? 'amqps' : 'amqp'}://${encodeURIComponent(user)}:%PASS%@${url.hostname}${port}${vhostPart}`;
  const durable = boolParam(url, 'durable', true, setting);
  // An exchange URI names one of oncebus's own exchanges, never another application's: a destination a
  // message names (a reply address) reaches no more than a queue URI could.
  const exchange = boolParam(url, 'exchange', false, setting);
  if (exchange && !queue.startsWith(EXCHANGE_PREFIX)) throw bad(`an exchange URI names an oncebus exchange ('${EXCHANGE_PREFIX}…')`);
  if (exchange && (!durable || maxPriority > 0)) throw bad('an exchange URI takes neither durable=false nor priority (the subscribers\' queues have those)');
  // Host names compare without case, and the default port is the same broker as no port.
  const host = url.hostname.toLowerCase();
  const addressPort = url.port && url.port !== (tls ? '5671' : '5672') ? `:${url.port}` : '';
  const declared = [durable ? '' : 'durable=false', maxPriority > 0 ? `priority=${maxPriority}` : '', exchange ? 'exchange=true' : ''].filter(Boolean).join('&');
  const path = `${vhost === '/' ? '' : `${encodeURIComponent(vhost)}/`}${encodeURIComponent(queue)}`;
  return {
    brokerUrl: base.replace('%PASS%', encodeURIComponent(pass)),
    // No heartbeat: an address (a reply's, an exchange's) carries none, and must reach the connection the endpoint made.
    brokerKey: `${tls ? 'amqps' : 'amqp'}://${host}${addressPort}/${encodeURIComponent(vhost)}`,
    credentials,
    address: `${tls ? 'rabbitmqs' : 'rabbitmq'}://${host}${addressPort}/${path}${declared ? `?${declared}` : ''}`,
    connectionScope: `${tls ? 'rabbitmqs' : 'rabbitmq'}://${host}${addressPort}`,
    safeBrokerUrl: base.replace('%PASS%', '***'),
    queue,
    vhost,
    exchange,
    prefetch,
    durable,
    maxPriority,
    heartbeatSeconds,
    tls,
  };
}
