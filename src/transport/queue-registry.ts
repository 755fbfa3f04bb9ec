import { ConfigurationError, OncebusError, UntrustedDestinationError } from '../errors/errors.js';
import type { IQueue, IQueueFactory } from './queue.js';
import type { ISubscriptionService } from '../subscriptions/subscription-service.js';
import { canonicalQueueAddress, queueScheme } from './queue-uri.js';
import { maskSecrets } from '../secrets/mask-secrets.js';

/**
 * Finds the factory for a URI's scheme and keeps one sending queue object per URI. Receive loops get a
 * queue object of their own (`createReceiver`), so each has its own consumer and settles only what it took.
 * It also knows which connections the endpoint was configured for (every URI passed to `check`, and
 * `trust`ed ones): a destination that a message names (a reply address, a subscriber) must be on one of
 * them, so no sender can make the endpoint log in, with its credentials, to a host of the sender's choosing.
 */
export class QueueRegistry {
  private readonly factories = new Map<string, IQueueFactory>();
  private readonly senders = new Map<string, IQueue>();
  private readonly receivers: IQueue[] = [];
  private readonly addresses = new Map<string, string>();
  /** Connection scopes (IQueueFactory.connectionScope) of the configured and trusted URIs. */
  private readonly trusted = new Set<string>();

  constructor(factories: readonly IQueueFactory[]) {
    for (const f of factories) {
      const scheme = f.scheme.toLowerCase();
      // Two factories for one scheme: whichever came last would silently take every queue of it.
      if (this.factories.has(scheme) && this.factories.get(scheme) !== f) {
        throw new ConfigurationError('TYPES.QueueFactory', `two queue factories are bound for the scheme '${scheme}'`, {
          hint: "bind one factory per scheme; give a second store or broker a scheme of its own (the factory's `scheme` option)",
        });
      }
      this.factories.set(scheme, f);
    }
  }

  /**
   * Fails with the setting's name when no factory serves the URI's scheme, or when its factory refuses the
   * URI (a bad parameter, a queue name it cannot hold): the factory names only "queue uri".
   */
  check(uri: string, setting: string): void {
    this.trust(uri, setting);
    named(setting, () => this.sender(uri));
  }

  /**
   * Allows destinations on the connection `uri` names (its host, for a broker) — for a configured URI, or
   * one the user allows besides (for RabbitMQ `rabbitmq://host[:port]` will do). A URI of a scheme without
   * connection scopes needs no trust; one of a scheme no factory serves is a ConfigurationError.
   */
  trust(uri: string, setting = 'queue uri'): void {
    const scheme = queueScheme(uri, setting);
    const factory = this.factories.get(scheme);
    if (!factory) {
      throw new ConfigurationError(setting, `unknown queue URI scheme '${scheme}' in '${maskSecrets(uri)}'`, {
        hint: `registered schemes: ${[...this.factories.keys()].join(', ') || 'none'}; bind an IQueueFactory for '${scheme}'`,
      });
    }
    const scope = named(setting, () => factory.connectionScope?.(uri));
    if (scope !== undefined) this.trusted.add(scope);
  }

  /**
   * Refuses a destination that is not on a configured or trusted connection (UntrustedDestinationError),
   * and one no factory serves (ConfigurationError). Call it for every URI a message chose.
   */
  checkDestination(uri: string): void {
    const scope = this.factoryOf(uri).connectionScope?.(uri);
    if (scope !== undefined && !this.trusted.has(scope)) throw new UntrustedDestinationError(scope);
  }

  /**
   * The address of the queue `uri` names: secret-free and the same however the URI is written (see
   * IQueueFactory.address). What the endpoint is known by, and what envelopes carry.
   */
  address(uri: string): string {
    let address = this.addresses.get(uri);
    if (address === undefined) {
      const f = this.factoryOf(uri);
      address = f.address ? f.address(uri) : canonicalQueueAddress(uri);
      this.addresses.set(uri, address);
    }
    return address;
  }

  /**
   * The transport's own publish/subscribe for an endpoint on `uri` (IQueueFactory.subscriptions), or
   * undefined when its factory has none. Its subscribers stay destinations like any other: checked by
   * checkDestination at each publish.
   */
  nativeSubscriptions(uri: string): ISubscriptionService | undefined {
    return this.factoryOf(uri).subscriptions?.(uri);
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
    q.openReceiver?.();
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

/** Runs `run`; a factory's refusal, which names only "queue uri", is raised again naming `setting`. */
function named<T>(setting: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (OncebusError.is(error) && error.code === 'ONCEBUS_CONFIGURATION' && error.setting === 'queue uri' && setting !== 'queue uri') {
      const detail = error.message.replace(/^queue uri: /, '');
      throw new ConfigurationError(setting, detail, { cause: error, hint: error.hint });
    }
    throw error;
  }
}
