/** Message type name → subscriber inbox URIs. `publish` sends one copy (same messageId) to each. */
export interface ISubscriptionService {
  /** Registers `inboxWorkQueueUri` for each type; idempotent (called at every start). */
  subscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void>;
  /** Current subscribers of a type; the bus may cache the answer for a short time. */
  getSubscribers(messageType: string): Promise<readonly string[]>;
}
