import type { RetryOptions, ServiceBusClient } from '@azure/service-bus';
import { azureServiceBus } from './azure-driver.js';
import { ConfigurationError } from '../../errors/errors.js';
import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { AzureServiceBusQueue } from './azuresb-queue.js';
import { ExistingTopology, type IAzureServiceBusTopology } from './azuresb-topology.js';
import { parseAzureServiceBusUri } from './azuresb-uri.js';

export interface AzureServiceBusOptions {
  /** Connection name (the URI's host) → connection string. The strings are never logged or put in errors. */
  readonly connections: Readonly<Record<string, string>>;
  /** The SDK's retry options (defaults: the SDK's). */
  readonly retryOptions?: RetryOptions;
  /** Lock renewal for long handlers (ms, default 5 min); 0 turns it off. */
  readonly maxAutoLockRenewalDurationInMs?: number;
  /** How long one receive call waits (ms, default 250). */
  readonly receiveWaitMs?: number;
  /** Entity creation; by default entities must exist. */
  readonly topology?: IAzureServiceBusTopology;
}

/** azuresb:// queues; one ServiceBusClient per connection name. `close()` closes them. */
export class AzureServiceBusQueueFactory implements IQueueFactory {
  readonly scheme = 'azuresb';
  private readonly clients = new Map<string, ServiceBusClient>();

  constructor(private readonly options: AzureServiceBusOptions) {}

  create(uri: string): IQueue {
    const address = parseAzureServiceBusUri(uri);
    return new AzureServiceBusQueue(
      uri,
      address,
      this.client(address.connection),
      {
        receiveWaitMs: this.options.receiveWaitMs ?? 250,
        maxAutoLockRenewalDurationInMs: this.options.maxAutoLockRenewalDurationInMs ?? 300_000,
      },
      this.options.topology ?? new ExistingTopology(),
    );
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  private client(name: string): ServiceBusClient {
    let client = this.clients.get(name);
    if (!client) {
      const cs = this.options.connections[name];
      if (!cs) {
        throw new ConfigurationError('queue uri', `no Azure Service Bus connection named '${name}'`, {
          hint: `configured names: ${Object.keys(this.options.connections).join(', ') || 'none'}`,
        });
      }
      client = new azureServiceBus.ServiceBusClient(cs, this.options.retryOptions ? { retryOptions: this.options.retryOptions } : {});
      this.clients.set(name, client);
    }
    return client;
  }
}
