import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { ISubscriptionService } from '../../subscriptions/subscription-service.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { exchangeNameFor } from './rabbitmq-exchange-name.js';
import { bindQueue, unbindQueue } from './rabbitmq-topology.js';
import { parseRabbitMqUri, type RabbitMqAddress } from './rabbitmq-uri.js';

/** Finds (or opens) the connection of the broker an address is on. */
export type BrokerConnections = (address: RabbitMqAddress) => RabbitMqConnection;

/**
 * Publish/subscribe by the broker, as NServiceBus and MassTransit do on RabbitMQ: each message type has a
 * durable fanout exchange (`oncebus.<type>`, see exchangeNameFor), and subscribing binds the subscriber's
 * inbox queue to it. Nothing is cached anywhere: once `subscribe` returns the binding is on the broker, and
 * every publish after it reaches the queue. A publish goes to one destination, the exchange on the broker of
 * `homeUri` (the publishing endpoint's), so the held-back send and the flush treat it like any queue.
 */
export class RabbitMqSubscriptions implements ISubscriptionService {
  private readonly home: RabbitMqAddress;

  constructor(
    homeUri: string,
    private readonly connections: BrokerConnections,
  ) {
    this.home = parseRabbitMqUri(homeUri);
  }

  /** Binds the inbox queue to the exchange of each type (declaring both); idempotent, as a start needs. */
  async subscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void> {
    const inbox = this.inbox(inboxWorkQueueUri);
    const connection = this.connections(inbox);
    for (const type of messageTypes) {
      await bindQueue(connection, inbox, exchangeNameFor(type), inboxWorkQueueUri, Date.now() + connection.outageTimeoutMs);
    }
  }

  /** Removes the bindings: the inbox no longer gets these types (what `oncebus subscriptions remove` does). */
  async unsubscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void> {
    const inbox = this.inbox(inboxWorkQueueUri);
    const connection = this.connections(inbox);
    for (const type of messageTypes) {
      await unbindQueue(connection, inbox, exchangeNameFor(type), inboxWorkQueueUri, Date.now() + connection.outageTimeoutMs);
    }
  }

  /** The type's exchange on the home broker: one destination, whoever is bound to it. No I/O, no cache. */
  async getSubscribers(messageType: string): Promise<readonly string[]> {
    return [this.exchangeUri(messageType)];
  }

  /** `rabbitmq[s]://host[:port]/[vhost/]oncebus.<type>?exchange=true`: no credentials, like any address. */
  exchangeUri(messageType: string): string {
    const { connectionScope, vhost } = this.home;
    return `${connectionScope}/${vhost === '/' ? '' : `${encodeURIComponent(vhost)}/`}${encodeURIComponent(exchangeNameFor(messageType))}?exchange=true`;
  }

  private inbox(uri: string): RabbitMqAddress {
    const address = (() => {
      try {
        return parseRabbitMqUri(uri, 'subscriptions');
      } catch (error) {
        throw new ConfigurationError('subscriptions', `the broker's pub/sub binds RabbitMQ queues only, not '${maskSecrets(uri)}'`, {
          cause: error,
          hint: 'give the endpoint a rabbitmq:// inbox, or bind an ISubscriptionService (a SQL store\'s subscriptions) under TYPES.SubscriptionService',
        });
      }
    })();
    if (address.exchange) throw new ConfigurationError('subscriptions', `'${maskSecrets(uri)}' is an exchange, not an inbox queue`);
    return address;
  }
}
