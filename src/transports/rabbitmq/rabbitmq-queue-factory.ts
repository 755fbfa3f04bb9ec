import { EventEmitter } from 'node:events';
import type { HealthCheckResult, IHealthCheck } from '../../health/health-check.js';
import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { queueScheme } from '../../transport/queue-uri.js';
import { RabbitMqConnection, type RabbitMqConnectionEvents, type RabbitMqConnectionOptions } from './rabbitmq-connection.js';
import { RabbitMqPublisher } from './rabbitmq-publisher.js';
import { RabbitMqExchange } from './rabbitmq-exchange.js';
import { RabbitMqQueue } from './rabbitmq-queue.js';
import { RabbitMqSubscriptions } from './rabbitmq-subscriptions.js';
import { parseRabbitMqUri, type RabbitMqAddress } from './rabbitmq-uri.js';

interface Broker {
  readonly connection: RabbitMqConnection;
  readonly publisher: RabbitMqPublisher;
}

/**
 * rabbitmq:// queues (or rabbitmqs:// with `scheme`). Queues on one broker (host, port, vhost, heartbeat,
 * TLS) share one connection and one confirm channel; credentials come from the factory's options
 * (`username`, `password`: keep them out of queue URIs, which end up in logs and configuration) or, failing
 * that, from the URI; each queue object that receives has a
 * consumer channel of its own. `events` reports connection losses and reconnects (for logs and health
 * checks; the transport itself logs nothing). `close()` closes every connection; the bus does not call it,
 * since one factory may serve several endpoints.
 */
export class RabbitMqQueueFactory implements IQueueFactory, IHealthCheck {
  readonly scheme: string;
  readonly events = new EventEmitter<RabbitMqConnectionEvents>();
  private readonly brokers = new Map<string, Broker>();

  constructor(
    private readonly options: RabbitMqConnectionOptions = {},
    scheme = 'rabbitmq',
  ) {
    this.scheme = scheme;
  }

  /** A queue — or, for an exchange URI (`?exchange=true`), the publish-only exchange of a message type. */
  create(uri: string): IQueue {
    const address = parseRabbitMqUri(uri);
    const broker = this.broker(address);
    if (address.exchange) return new RabbitMqExchange(uri, address, broker.connection, broker.publisher);
    return new RabbitMqQueue(uri, address, broker.connection, broker.publisher);
  }

  /**
   * Publish/subscribe by the broker (an exchange per message type, inbox queues bound to it), for endpoints
   * whose inbox is `uri` (or, sending only, on the broker it names). The bus uses it when no
   * ISubscriptionService is bound; see RabbitMqSubscriptions.
   */
  subscriptions(uri: string): RabbitMqSubscriptions {
    return new RabbitMqSubscriptions(withQueue(uri), (address) => this.broker(address).connection);
  }

  /** The queue's address: no credentials, no consumer settings, no default port (see parseRabbitMqUri). */
  address(uri: string): string {
    return parseRabbitMqUri(uri).address;
  }

  /**
   * The broker a URI names (scheme, host, port) — a queue's URI, or the broker's alone (`rabbitmq://host`,
   * as trustedConnections lists it): the credentials go only to brokers the endpoint was configured for,
   * so a destination a message names off them is refused (QueueRegistry.checkDestination).
   */
  connectionScope(uri: string): string {
    return parseRabbitMqUri(withQueue(uri)).connectionScope;
  }

  /**
   * The URL to connect with: the URI's own user, else the factory's `username`/`password`, else guest.
   * One connection per broker and vhost, made with the credentials of the first URI that reached it — so a
   * reply or a publish to an address (which carries none) goes over the connection the endpoint made.
   */
  private brokerUrls(address: RabbitMqAddress): readonly string[] {
    if (address.credentials || this.options.username === undefined) return address.brokerUrls;
    const user = `${encodeURIComponent(this.options.username)}:${encodeURIComponent(this.options.password ?? '')}@`;
    return address.brokerUrls.map((url) => url.replace(/^(amqps?:\/\/)[^@]*@/, `$1${user}`));
  }

  private broker(address: RabbitMqAddress): Broker {
    let broker = this.brokers.get(address.brokerKey);
    if (!broker) {
      const connection = new RabbitMqConnection(this.brokerUrls(address), address.safeBrokerUrl, this.options);
      connection.on('connected', (info) => this.events.emit('connected', info));
      connection.on('disconnected', (info) => this.events.emit('disconnected', info));
      broker = { connection, publisher: new RabbitMqPublisher(connection) };
      this.brokers.set(address.brokerKey, broker);
    }
    return broker;
  }

  /**
   * Healthy when every broker this factory has opened a connection to is connected now: a lost connection
   * (reconnecting in the background) is unhealthy until it is back. No broker opened yet is healthy (the
   * first queue operation connects). Reads state only: no round trip to the broker.
   */
  async checkHealth(): Promise<HealthCheckResult> {
    const brokers = [...this.brokers.values()].map((b) => b.connection);
    const down = brokers.filter((c) => !c.isConnected).map((c) => c.safeUrl);
    if (down.length > 0) return { healthy: false, detail: `not connected to ${down.join(', ')} (reconnecting)` };
    if (brokers.length === 0) return { healthy: true, detail: 'no broker connection opened yet' };
    return { healthy: true, detail: `connected to ${brokers.map((c) => c.safeUrl).join(', ')}` };
  }

  async close(): Promise<void> {
    const all = [...this.brokers.values()];
    this.brokers.clear();
    await Promise.all(all.map((b) => b.connection.close()));
  }
}

/**
 * `rabbitmq://host[:port][,host2…]` with a placeholder queue, so one parser (and one notion of a broker)
 * reads both forms. A host list is not one URL host, so the authority is found by hand.
 */
function withQueue(uri: string): string {
  queueScheme(uri);
  const match = /^([^:]+:\/\/[^/?#]*)(\/?)([^?#]*)(.*)$/s.exec(uri);
  if (match?.[3] !== '') return uri;
  return `${match[1]}/-${match[4]}`;
}

/** A factory for rabbitmqs:// URIs (TLS); `socketOptions` (ca, cert, key, servername, …) go to amqplib. */
export const createRabbitMqTlsFactory = (options: RabbitMqConnectionOptions = {}): RabbitMqQueueFactory => new RabbitMqQueueFactory(options, 'rabbitmqs');
