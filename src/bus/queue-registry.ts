import { ConfigurationError } from '../errors/errors.js';
import type { IQueue, IQueueFactory } from '../transport/queue.js';
import { queueScheme } from '../transport/queue-uri.js';

/**
 * Finds the factory for a URI's scheme and keeps one sending queue object per URI. Receive loops get a
 * queue object of their own (`createReceiver`), so each has its own consumer and settles only what it took.
 */
export class QueueRegistry {
  private readonly factories = new Map<string, IQueueFactory>();
  private readonly senders = new Map<string, IQueue>();
  private readonly receivers: IQueue[] = [];

  constructor(factories: readonly IQueueFactory[]) {
    for (const f of factories) this.factories.set(f.scheme.toLowerCase(), f);
  }

  /** Fails with the setting's name when no factory serves the URI's scheme. */
  check(uri: string, setting: string): void {
    const scheme = queueScheme(uri, setting);
    if (!this.factories.has(scheme)) {
      throw new ConfigurationError(setting, `unknown queue URI scheme '${scheme}' in '${uri}'`, {
        hint: `registered schemes: ${[...this.factories.keys()].join(', ') || 'none'}; bind an IQueueFactory for '${scheme}'`,
      });
    }
  }

  /** The shared queue object used to enqueue to `uri`. */
  sender(uri: string): IQueue {
    let q = this.senders.get(uri);
    if (!q) {
      q = this.factoryOf(uri).create(uri);
      this.senders.set(uri, q);
    }
    return q;
  }

  createReceiver(uri: string): IQueue {
    const q = this.factoryOf(uri).create(uri);
    this.receivers.push(q);
    return q;
  }

  /**
   * Closes receivers first (their unsettled messages go back), then senders. Factories belong to whoever
   * bound them (one may serve several endpoints), so they are not closed here.
   */
  async close(): Promise<void> {
    const all = [...this.receivers, ...this.senders.values()];
    this.receivers.length = 0;
    this.senders.clear();
    await Promise.allSettled(all.map((q) => q.close()));
  }

  private factoryOf(uri: string): IQueueFactory {
    const f = this.factories.get(queueScheme(uri));
    if (!f) this.check(uri, 'queue');
    return f!;
  }
}
