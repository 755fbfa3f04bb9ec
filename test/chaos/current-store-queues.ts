// The crash harness's own queue tables while it closes its SQLite store and opens it again (the database
// restart, sqlite-chaos-database.ts): every call goes to the queue of the store open now, so the feed
// carries on after the restart. A call that meets the closed store fails; the caller tries again.
import type { TransportMessage } from '../../src/index.js';
import { type ICountQueue, type ICreateQueue, type IQueue, type IQueueFactory, type ISchedulingQueue, isCountQueue, isCreateQueue, type ReceivedMessage } from '../../src/extending.js';

export function queuesOfCurrentStore(scheme: string, current: () => IQueueFactory): IQueueFactory {
  return { scheme, create: (uri) => new CurrentStoreQueue(uri, current) };
}

type TableQueue = IQueue & ICreateQueue & ICountQueue;

class CurrentStoreQueue implements TableQueue, ISchedulingQueue {
  readonly supportsScheduledDelivery = true as const;
  private opened: { readonly factory: IQueueFactory; readonly queue: TableQueue } | null = null;

  constructor(
    readonly uri: string,
    private readonly current: () => IQueueFactory,
  ) {}

  enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
    return this.queue().enqueue(message, body);
  }

  getMessage(): Promise<ReceivedMessage | null> {
    return this.queue().getMessage();
  }

  /** Settles through the store open now: the harness drains only after the restart, never across it. */
  acknowledge(token: unknown): Promise<void> {
    return this.queue().acknowledge(token);
  }

  release(token: unknown): Promise<void> {
    return this.queue().release(token);
  }

  create(): Promise<void> {
    return this.queue().create();
  }

  count(): Promise<number> {
    return this.queue().count();
  }

  async close(): Promise<void> {
    await this.opened?.queue.close();
    this.opened = null;
  }

  private queue(): TableQueue {
    const factory = this.current();
    if (this.opened?.factory !== factory) {
      const queue = factory.create(this.uri);
      if (!isCreateQueue(queue) || !isCountQueue(queue)) throw new Error(`${this.uri}: not a queue table`);
      // The previous store is closed: its queue holds nothing to settle.
      void this.opened?.queue.close().catch(() => undefined);
      this.opened = { factory, queue };
    }
    return this.opened.queue;
  }
}
