// The broker's own publish/subscribe in the simulator, as RabbitMQ's exchanges give it (src/transports/
// rabbitmq/rabbitmq-subscriptions.ts): subscribing binds an inbox to its type's exchange at once, and a
// publish goes to one destination, the exchange, which puts a copy on every inbox bound at that moment.
import type { TransportMessage } from '../../src/envelope/transport-message.js';
import type { ISubscriptionService } from '../../src/subscriptions/subscription-service.js';
import type { IQueue, ReceivedMessage } from '../../src/transport/queue.js';

const PREFIX = 'memory://exchange.';

/**
 * Bindings shared by every process of a run (they are the broker's). `bindLate`, the broken variant
 * 'bind-after-first-publish', applies a binding only after the first publish to its type: that event
 * reaches no subscriber, which the oracle must catch.
 */
export class SimExchanges {
  private readonly bindings = new Map<string, Set<string>>();
  private readonly waiting = new Map<string, Set<string>>();
  private readonly published = new Set<string>();

  constructor(private readonly bindLate: boolean) {}

  /** What a queue factory's `subscriptions(uri)` gives every endpoint. */
  readonly service: ISubscriptionService = {
    subscribe: async (types, inbox) => {
      for (const type of types) {
        const key = type.toLowerCase();
        const into = this.bindLate && !this.published.has(key) ? this.waiting : this.bindings;
        into.set(key, (into.get(key) ?? new Set()).add(inbox));
      }
    },
    getSubscribers: async (type) => [`${PREFIX}${type.toLowerCase()}`],
  };

  isExchange(uri: string): boolean {
    return uri.startsWith(PREFIX);
  }

  /** A publish-only queue: each enqueue copies the message to the inboxes bound now, through `open` (the process's seams). */
  exchange(uri: string, open: (inbox: string) => IQueue): IQueue {
    const key = uri.slice(PREFIX.length);
    const inboxes = new Map<string, IQueue>();
    const publishOnly = async (): Promise<never> => {
      throw new Error(`${uri} is an exchange: publish only`);
    };
    return {
      uri,
      enqueue: async (message: TransportMessage, body: Uint8Array): Promise<void> => {
        const bound = [...(this.bindings.get(key) ?? [])];
        this.publishedTo(key);
        // One after another, each through a seam: a crash between two leaves the publish unconfirmed, and
        // the flush publishes it again (same messageId) to all of them, as a broker's lost confirm would.
        for (const inbox of bound) {
          let q = inboxes.get(inbox);
          if (!q) inboxes.set(inbox, (q = open(inbox)));
          await q.enqueue(message, body);
        }
      },
      getMessage: publishOnly as () => Promise<ReceivedMessage | null>,
      acknowledge: publishOnly,
      release: publishOnly,
      close: async () => undefined,
    };
  }

  private publishedTo(key: string): void {
    if (this.published.has(key)) return;
    this.published.add(key);
    const late = this.waiting.get(key);
    if (!late) return;
    this.waiting.delete(key);
    this.bindings.set(key, new Set([...(this.bindings.get(key) ?? []), ...late]));
  }
}
