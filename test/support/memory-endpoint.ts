import 'reflect-metadata';
import { Container } from 'inversify';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import type { IOncebusModule } from '../../src/modules/oncebus-module.js';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import { addOncebus } from '../../src/di/add-oncebus.js';
import { TYPES } from '../../src/di/tokens.js';
import { deserializeTransportMessage } from '../../src/envelope/wire-format.js';
import type { TransportMessage } from '../../src/envelope/transport-message.js';
import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import { createSilentLogger } from '../../src/logging/logger.js';
import { MemorySubscriptionService } from '../../src/subscriptions/memory-subscription-service.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';

/** One in-process "world": a broker, an idempotence store and subscriptions that several endpoints share. */
export class MemoryWorld {
  readonly broker = new MemoryBroker();
  readonly idempotence = new MemoryIdempotenceStore();
  readonly subscriptions = new MemorySubscriptionService();
  private readonly buses: IServiceBus[] = [];

  /** An endpoint named `name` with inbox memory://<name>, error and deferred queues, fast retries. */
  endpoint(name: string, options: Partial<EndpointOptions> = {}, modules: IOncebusModule[] = [], configure?: (c: Container) => void): { bus: IServiceBus; container: Container } {
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(this.broker);
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(this.idempotence);
    container.bind(TYPES.SubscriptionService).toConstantValue(this.subscriptions);
    container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    for (const m of modules) container.bind(TYPES.Module).toConstantValue(m);
    configure?.(container);
    addOncebus(container, {
      stopTimeout: '2s',
      ...options,
      inbox: {
        workQueueUri: `memory://${name}`,
        errorQueueUri: `memory://${name}-error`,
        deferredQueueUri: `memory://${name}-deferred`,
        threadCount: 2,
        maximumFailureCount: 3,
        durationToIgnoreOnFailure: ['0ms'],
        durationToSleepWhenIdle: ['5ms', '20ms'],
        ...options.inbox,
      } as EndpointOptions['inbox'],
    });
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    this.buses.push(bus);
    return { bus, container };
  }

  /** Envelopes currently waiting in a queue (not taken), oldest first. */
  messagesIn(name: string): TransportMessage[] {
    return this.broker.stateOf(`memory://${name}`).ready.toArray().map((e) => deserializeTransportMessage(e.body));
  }

  /** Messages ready or in flight in a queue. */
  count(name: string): number {
    const state = this.broker.stateOf(`memory://${name}`);
    return state.ready.length + state.inFlight.size;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.buses.map((b) => b.stop()));
  }
}
