import { ConfigurationError } from '../../errors/errors.js';
import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { canonicalQueueAddress } from '../../transport/queue-uri.js';

/**
 * The queues the operations tools reach (error queues to ingest, source queues to return to), each opened
 * once through the factory of its URI's scheme. A source queue is known by its address (no credentials):
 * the factory supplies them (e.g. RabbitMqQueueFactory's username and password).
 */
export class QueueDirectory {
  private readonly opened = new Map<string, IQueue>();

  constructor(private readonly factories: readonly IQueueFactory[]) {}

  queue(uri: string): IQueue {
    const key = this.address(uri);
    let queue = this.opened.get(key);
    if (!queue) {
      queue = this.factory(uri).create(uri);
      this.opened.set(key, queue);
    }
    return queue;
  }

  /** The queue's address: what error records and headers name it by. */
  address(uri: string): string {
    return this.factory(uri).address?.(uri) ?? canonicalQueueAddress(uri);
  }

  async close(): Promise<void> {
    for (const queue of this.opened.values()) await queue.close().catch(() => undefined);
    this.opened.clear();
  }

  private factory(uri: string): IQueueFactory {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
    const found = this.factories.find((f) => f.scheme === scheme);
    if (!found) {
      throw new ConfigurationError('queue', `no transport for '${uri}' here`, {
        hint: 'give the operations tools the transport of that queue (--transport sqlite:<file>, postgres://…, amqp://user:password@host)',
      });
    }
    return found;
  }
}
