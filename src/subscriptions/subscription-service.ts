/** Message type name → subscriber inbox URIs. `publish` sends one copy (same messageId) to each. */
export interface ISubscriptionService {
  /** Registers `inboxWorkQueueUri` for each type; idempotent (called at every start). */
  subscribe(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void>;
  /** Where a publish of a type goes now: its subscribers' inboxes, or a destination that reaches them (an exchange). */
  getSubscribers(messageType: string): Promise<readonly string[]>;
  /** Removes the inbox's subscription to each type (operators: `oncebus subscriptions remove`); optional. */
  unsubscribe?(messageTypes: readonly string[], inboxWorkQueueUri: string): Promise<void>;
}
