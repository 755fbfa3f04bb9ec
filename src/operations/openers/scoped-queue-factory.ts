import { ConfigurationError, UntrustedDestinationError } from '../../errors/errors.js';
import type { ISubscriptionService } from '../../subscriptions/subscription-service.js';
import type { IQueue, IQueueFactory } from '../../transport/queue.js';

/**
 * One scheme's queues on several connections (brokers), each reached through a factory of its own and so
 * with its own credentials. A queue on any other connection is refused (UntrustedDestinationError): the
 * credentials the operator gave for one broker never go to another host.
 */
export class ScopedQueueFactory implements IQueueFactory {
  constructor(
    readonly scheme: string,
    /** Connection scope → the factory holding that connection's credentials. */
    private readonly byScope: ReadonlyMap<string, IQueueFactory>,
  ) {}

  create(uri: string): IQueue {
    const scope = this.connectionScope(uri);
    const factory = this.byScope.get(scope);
    if (!factory) throw new UntrustedDestinationError(scope);
    return factory.create(uri);
  }

  address(uri: string): string {
    const any = this.any();
    return any.address ? any.address(uri) : uri;
  }

  connectionScope(uri: string): string {
    const any = this.any();
    return any.connectionScope ? any.connectionScope(uri) : this.scheme;
  }

  /** The broker's own pub/sub on the connection `uri` names, reached with that connection's credentials. */
  subscriptions(uri: string): ISubscriptionService {
    const scope = this.connectionScope(uri);
    const factory = this.byScope.get(scope);
    if (!factory) throw new UntrustedDestinationError(scope);
    if (!factory.subscriptions) throw new ConfigurationError('--transport', `${this.scheme}:// has no publish/subscribe of its own`, { hint: 'its subscriptions are rows in a SQL store: use --store' });
    return factory.subscriptions(uri);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.byScope.values()].map((f) => f.close?.()));
  }

  /** Addresses and scopes depend on the URI only, not on the credentials: any factory of the scheme answers. */
  private any(): IQueueFactory {
    return this.byScope.values().next().value!;
  }
}
