import type { ISubscriptionService } from '../../subscriptions/subscription-service.js';
import type { SqlStore } from './sql-store.js';

/**
 * How a store tells its processes that the subscriptions changed (PostgreSQL: NOTIFY). Without one, every
 * publish reads the subscribers: an indexed read, the same cost as reading a version row would be.
 */
export interface SubscriptionChanges {
  /**
   * A number that changes whenever a subscription may have changed elsewhere; null while changes cannot be
   * heard (the listener is down or not yet listening): then nothing is cached.
   */
  generation(): number | null;
  /** Tells every process, after the change committed. */
  announce(): Promise<void>;
}

/** A subscriber list as read, and the generation it was read under. */
interface Cached {
  readonly at: number;
  readonly generation: number;
  readonly uris: readonly string[];
}

/**
 * Subscriptions in SQL: (message type, subscriber inbox URI), registered at every start (idempotent).
 * Without `changes` a publisher reads the list at each publish: a new subscriber is reached by the next one.
 * With `changes` (PostgreSQL) it caches the list until a change is announced, so a publish in the
 * announcement's way (its delivery time) misses the new subscriber; `cacheMs` (5 s) bounds what a change
 * nobody announced costs — rows edited by hand, a listener connection that died without a word.
 */
export class SqlSubscriptionService implements ISubscriptionService {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly store: SqlStore,
    private readonly changes: SubscriptionChanges | null = null,
    private readonly cacheMs = 5_000,
  ) {}

  async subscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void> {
    await this.store.ready();
    for (const type of messageTypes) {
      await this.store.database.execute(this.store.dialect.subscriptions.subscribe, [type, inboxWorkQueueUri]);
      this.cache.delete(type);
    }
    // After the rows committed: a publisher that reads again on the announcement sees them.
    await this.changes?.announce();
  }

  /** Removes the rows; every process's next publish leaves the inbox out. */
  async unsubscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void> {
    await this.remove(messageTypes, inboxWorkQueueUri);
  }

  /** Removes the rows, and says how many there were (what an operator is told). */
  async remove(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<number> {
    await this.store.ready();
    let removed = 0;
    for (const type of messageTypes) {
      removed += await this.store.database.execute(this.store.dialect.subscriptions.unsubscribe, [type, inboxWorkQueueUri]);
      this.cache.delete(type);
    }
    await this.changes?.announce();
    return removed;
  }

  /** Every subscription, by type then inbox (for operators). */
  async list(): Promise<{ messageType: string; inboxUri: string }[]> {
    await this.store.ready();
    const rows = await this.store.database.query<{ message_type: string; inbox_uri: string }>(this.store.dialect.subscriptions.all);
    return rows.map((r) => ({ messageType: r.message_type, inboxUri: r.inbox_uri }));
  }

  async getSubscribers(messageType: string): Promise<readonly string[]> {
    // Taken before the read: an announcement arriving during it makes this answer stale at once.
    const generation = this.changes?.generation() ?? null;
    const now = Date.now();
    if (generation !== null) {
      const hit = this.cache.get(messageType);
      if (hit && hit.generation === generation && now - hit.at < this.cacheMs) return hit.uris;
    }
    await this.store.ready();
    const rows = await this.store.database.query<{ inbox_uri: string }>(this.store.dialect.subscriptions.subscribers, [messageType]);
    const uris = rows.map((r) => r.inbox_uri);
    if (generation !== null) this.cache.set(messageType, { at: now, generation, uris });
    return uris;
  }
}
