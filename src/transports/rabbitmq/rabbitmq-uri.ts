import { ConfigurationError } from '../../errors/errors.js';
import { boolParam, intParam, parseQueueUri } from '../../transport/queue-uri.js';

/** A rabbitmq:// queue URI, parsed. */
export interface RabbitMqAddress {
  /** amqp:// or amqps:// URL of the broker and vhost (what the connection is shared by). */
  readonly brokerUrl: string;
  /** The same with the password hidden, for errors and logs. */
  readonly safeBrokerUrl: string;
  readonly queue: string;
  readonly prefetch: number;
  readonly durable: boolean;
  /** x-max-priority; 0 = not a priority queue. */
  readonly maxPriority: number;
  readonly heartbeatSeconds: number;
  readonly tls: boolean;
}

/**
 * `rabbitmq://[user:pass@]host[:port][/vhost]/queue[?prefetch=…&durable=…&priority=…&heartbeat=…&tls=…]`
 * (`rabbitmqs://` = tls). Defaults are the safe ones: durable queues, prefetch 20, heartbeats every 30 s.
 */
export function parseRabbitMqUri(uri: string, setting = 'queue uri'): RabbitMqAddress {
  const url = parseQueueUri(uri, setting);
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'rabbitmq' && scheme !== 'rabbitmqs') throw new ConfigurationError(setting, `'${uri}' is not a rabbitmq:// URI`);
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (segments.length < 1 || segments.length > 2) {
    throw new ConfigurationError(setting, `'${uri}' must be rabbitmq://host[:port][/vhost]/queue`);
  }
  const queue = segments[segments.length - 1]!;
  const vhost = segments.length === 2 ? segments[0]! : '/';
  const tls = scheme === 'rabbitmqs' || boolParam(url, 'tls', false, setting);
  const user = url.username ? decodeURIComponent(url.username) : 'guest';
  const pass = url.password ? decodeURIComponent(url.password) : 'guest';
  const port = url.port ? `:${url.port}` : '';
  const heartbeatSeconds = intParam(url, 'heartbeat', 30, setting);
  const base = `${tls ? 'amqps' : 'amqp'}://${encodeURIComponent(user)}:%PASS%@${url.hostname}${port}/${encodeURIComponent(vhost)}?heartbeat=${heartbeatSeconds}`;
  return {
    brokerUrl: base.replace('%PASS%', encodeURIComponent(pass)),
    safeBrokerUrl: base.replace('%PASS%', '***'),
    queue,
    prefetch: Math.max(1, intParam(url, 'prefetch', 20, setting)),
    durable: boolParam(url, 'durable', true, setting),
    maxPriority: intParam(url, 'priority', 0, setting),
    heartbeatSeconds,
    tls,
  };
}
