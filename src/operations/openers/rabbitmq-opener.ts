import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { IQueueFactory } from '../../transport/queue.js';
import { decodeUriPart } from '../../transport/queue-uri.js';
import type { OpenedTransports, SchemeOpener } from './opened.js';
import { ScopedQueueFactory } from './scoped-queue-factory.js';

/** A broker the operator named: where it is, and the user the operations tools log in as there. */
interface Broker {
  /** The queue URI scheme of its queues: rabbitmqs for TLS. */
  readonly scheme: 'rabbitmq' | 'rabbitmqs';
  /** host[:port], as in its queue URIs. */
  readonly host: string;
  readonly username?: string;
  readonly password?: string;
}

const TLS_SCHEMES = new Set(['rabbitmqs', 'amqps']);

/** `rabbitmq[s]://` or `amqp[s]://` `user:password@host[:port][/vhost]`: a broker and its user. */
function brokerOf(url: string): Broker {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ConfigurationError('--transport', `'${maskSecrets(url)}' is not a valid URL`, { cause, hint: 'give rabbitmq://user:password@host[:port] (percent-encode @ : / in the password)' });
  }
  if (!parsed.hostname) throw new ConfigurationError('--transport', `'${maskSecrets(url)}' names no broker host`, { hint: 'give rabbitmq://user:password@host[:port]' });
  const scheme = TLS_SCHEMES.has(parsed.protocol.replace(/:$/, '').toLowerCase()) ? 'rabbitmqs' : 'rabbitmq';
  return {
    scheme,
    host: parsed.host.toLowerCase(),
    ...(parsed.username ? { username: decodeUriPart(parsed.username, url, '--transport'), password: decodeUriPart(parsed.password, url, '--transport') } : {}),
  };
}

/** A queue URI on the broker: what QueueRegistry.trust takes to allow the broker's connection. */
const queueOn = (broker: Broker): string => `${broker.scheme}://${broker.host}/oncebus-operations`;

/** RabbitMQ brokers: a transport whose queues are reached with the user given for their broker. */
export const rabbitMqOpener: SchemeOpener = {
  schemes: ['rabbitmq', 'rabbitmqs', 'amqp', 'amqps'],
  form: 'rabbitmq://user:password@host[:port] (rabbitmqs:// or amqps:// for TLS)',
  async transport(urls): Promise<OpenedTransports> {
    const { RabbitMqQueueFactory, createRabbitMqTlsFactory } = await import('../../transports/rabbitmq/index.js');
    const bySchemeAndScope = new Map<string, Map<string, IQueueFactory>>();
    const trusted: string[] = [];
    const where: string[] = [];
    for (const url of urls) {
      const broker = brokerOf(url);
      const options = { username: broker.username, password: broker.password, outageTimeoutMs: 5000, connectionName: 'oncebus operations' };
      const factory = broker.scheme === 'rabbitmqs' ? createRabbitMqTlsFactory(options) : new RabbitMqQueueFactory(options);
      const scope = factory.connectionScope(queueOn(broker));
      const scopes = bySchemeAndScope.get(broker.scheme) ?? new Map<string, IQueueFactory>();
      bySchemeAndScope.set(broker.scheme, scopes);
      // The same broker named twice: the first user given is the one used.
      if (scopes.has(scope)) continue;
      scopes.set(scope, factory);
      trusted.push(queueOn(broker));
      where.push(scope);
    }
    const factories = [...bySchemeAndScope].map(([scheme, scopes]) => new ScopedQueueFactory(scheme, scopes));
    return {
      factories,
      trusted,
      where,
      close: async () => {
        await Promise.allSettled(factories.map((f) => f.close()));
      },
    };
  },
  transportOf(queueUri) {
    // The queue's broker, with the user its URI names (if any): `queues` counts a queue from its URI alone.
    if (!URL.canParse(queueUri)) return null;
    const url = new URL(queueUri);
    const user = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
    return `${url.protocol}//${user}${url.host}`;
  },
};
