import type { ISubscriptionService } from './subscription-service.js';

/** Subscriptions held in process: share one instance between the endpoints of a test or demo. */
export class MemorySubscriptionService implements ISubscriptionService {
  private readonly subscribers = new Map<string, string[]>();

  async subscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void> {
    for (const type of messageTypes) {
      const list = this.subscribers.get(type) ?? [];
      if (!list.includes(inboxWorkQueueUri)) list.push(inboxWorkQueueUri);
      this.subscribers.set(type, list);
    }
  }

  async unsubscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void> {
    for (const type of messageTypes) this.subscribers.set(type, (this.subscribers.get(type) ?? []).filter((uri) => uri !== inboxWorkQueueUri));
  }

  async getSubscribers(messageType: string): Promise<readonly string[]> {
    return this.subscribers.get(messageType) ?? [];
  }
}
