import { ConfigurationError } from '../../errors/errors.js';
import { OncebusError } from '../../errors/oncebus-error.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { IQueueFactory } from '../../transport/queue.js';
import { decodeUriPart } from '../../transport/queue-uri.js';
import type { OpenedTransports, SchemeOpener } from './opened.js';
import { ScopedQueueFactory } from './scoped-queue-factory.js';

/** A broker the operator named: where it is, and the user the operations tools log in as there. */
interface Broker {
  /** The queue URI scheme of its queues: rabbitmqs for TLS. */
  readonly scheme: 'rabbitmq' | 'rabbitmqs';
  /** host[:port] (or a cluster's host list), as in its queue URIs. */
  readonly host: string;
  readonly username?: string;
  readonly password?: string;
}

const TLS_SCHEMES = new Set(['rabbitmqs', 'amqps']);

/** scheme, user info and host (or a cluster's host list) of a URL; a host list is not one URL host, so by hand. */
const AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?([^/?#]*)/s;

/**
 * `rabbitmq[s]://` or `amqp[s]://` `user:password@host[:port][,host2[:port2]…][/vhost]`: a broker (or the
 * nodes of a cluster) and its user.
 */
function brokerOf(url: string): Broker {
  const invalid = (cause?: unknown) =>
    new ConfigurationError('--transport', `'${maskSecrets(url)}' is not a valid URL`, { cause, hint: 'give rabbitmq://user:password@host[:port][,host2[:port2]…] (percent-encode @ : / in the password)' });
  const match = AUTHORITY.exec(url);
  if (!match) throw invalid();
  const [, scheme = '', userinfo, hostList = ''] = match;
  if (!hostList) throw new ConfigurationError('--transport', `'${maskSecrets(url)}' names no broker host`, { hint: 'give rabbitmq://user:password@host[:port]' });
  const hosts = hostList.split(',').map((host) => {
    try {
      const parsed = new URL(`${scheme}://${host}`);
      if (!parsed.hostname || parsed.username) throw invalid();
      return parsed.host.toLowerCase();
    } catch (cause) {
      throw OncebusError.is(cause) ? cause : invalid(cause);
    }
  });
  const colon = userinfo?.indexOf(':') ?? -1;
  const [user, password] = userinfo === undefined ? [] : colon < 0 ? [userinfo, ''] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  return {
    scheme: TLS_SCHEMES.has(scheme.toLowerCase()) ? 'rabbitmqs' : 'rabbitmq',
    host: hosts.join(','),
    ...(user ? { username: decodeUriPart(user, url, '--transport'), password: decodeUriPart(password ?? '', url, '--transport') } : {}),
  };
}

/** A queue URI on the broker: what QueueRegistry.trust takes to allow the broker's connection. */
const queueOn = (broker: Broker): string => `${broker.scheme}://${broker.host}/oncebus-operations`;

/** RabbitMQ brokers: a transport whose queues are reached with the user given for their broker. */
export const rabbitMqOpener: SchemeOpener = {
  schemes: ['rabbitmq', 'rabbitmqs', 'amqp', 'amqps'],
  form: 'rabbitmq://user:password@host[:port][,host2[:port2]…] (rabbitmqs:// or amqps:// for TLS)',
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
    const match = AUTHORITY.exec(queueUri);
    if (!match) return null;
    const [, scheme, userinfo, hostList] = match;
    return `${scheme}://${userinfo ? `${userinfo}@` : ''}${hostList}`;
  },
};
