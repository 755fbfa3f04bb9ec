import type { IQueueFactory } from '../../transport/queue.js';
import { openStore } from '../open-store.js';

/**
 * The transports an operator names, to reach error and source queues: `sqlite:<file>` or `postgres://…`
 * (the endpoints' SQL queues; `schema` as theirs) and `rabbitmq://user:password@host[:port]` (the broker;
 * the credentials serve every queue address on it).
 */
export async function openTransports(urls: readonly string[], options: { readonly schema?: string } = {}): Promise<{ factories: IQueueFactory[]; close(): Promise<void> }> {
  const factories: IQueueFactory[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    for (const url of urls) {
      if (/^(rabbitmq|amqps?):\/\//.test(url)) {
        const { RabbitMqQueueFactory } = await import('../../transports/rabbitmq/index.js');
        const parsed = new URL(url.replace(/^\w+:/, 'http:'));
        const factory = new RabbitMqQueueFactory({
          username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
          password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
          outageTimeoutMs: 5000,
          connectionName: 'oncebus operations',
        });
        factories.push(factory);
        closers.push(() => factory.close());
      } else {
        const opened = await openStore(url, options);
        factories.push(opened.queues);
        closers.push(() => opened.close());
      }
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
  return {
    factories,
    async close() {
      for (const close of closers) await close().catch(() => undefined);
    },
  };
}
