import type { ISubscriptionService } from '../../subscriptions/subscription-service.js';
import type { SqlStore } from './sql-store.js';

/**
 * Subscriptions in SQL: (message type, subscriber inbox URI), registered at every start (idempotent).
 * Subscribers are cached for `cacheMs` per type, so a publish costs no query in the common case; a new
 * subscriber is seen within that time.
 */
export class SqlSubscriptionService implements ISubscriptionService {
  private readonly cache = new Map<string, { at: number; uris: readonly string[] }>();

  constructor(
    private readonly store: SqlStore,
    private readonly cacheMs = 5000,
  ) {}

  async subscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void> {
    await this.store.ready();
    for (const type of messageTypes) {
      await this.store.database.execute(this.store.dialect.subscriptions.subscribe, [type, inboxWorkQueueUri]);
      this.cache.delete(type);
    }
  }

  async getSubscribers(messageType: string): Promise<readonly string[]> {
    const hit = this.cache.get(messageType);
    const now = Date.now();
    if (hit && now - hit.at < this.cacheMs) return hit.uris;
    await this.store.ready();
    const rows = await this.store.database.query<{ inbox_uri: string }>(this.store.dialect.subscriptions.subscribers, [messageType]);
    const uris = rows.map((r) => r.inbox_uri);
    this.cache.set(messageType, { at: now, uris });
    return uris;
  }
}
