import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { RabbitMqConnection, type RabbitMqConnectionOptions } from './rabbitmq-connection.js';
import { RabbitMqQueue } from './rabbitmq-queue.js';
import { parseRabbitMqUri } from './rabbitmq-uri.js';

/**
 * rabbitmq:// (and rabbitmqs://) queues. Queues on one broker URL share one connection; `close()` closes
 * them (the bus does not, since a factory may serve several endpoints).
 */
export class RabbitMqQueueFactory implements IQueueFactory {
  readonly scheme: string;
  private readonly connections = new Map<string, RabbitMqConnection>();

  constructor(
    private readonly options: RabbitMqConnectionOptions = {},
    scheme = 'rabbitmq',
  ) {
    this.scheme = scheme;
  }

  create(uri: string): IQueue {
    const address = parseRabbitMqUri(uri);
    let connection = this.connections.get(address.brokerUrl);
    if (!connection) {
      connection = new RabbitMqConnection(address.brokerUrl, address.safeBrokerUrl, this.options);
      this.connections.set(address.brokerUrl, connection);
    }
    return new RabbitMqQueue(uri, address, connection);
  }

  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}

/** A second factory for rabbitmqs:// URIs (TLS), sharing the options. */
export const createRabbitMqTlsFactory = (options: RabbitMqConnectionOptions = {}): RabbitMqQueueFactory => new RabbitMqQueueFactory(options, 'rabbitmqs');
