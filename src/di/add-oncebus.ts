import type { Container } from 'inversify';
import type { ServiceBusDependencies } from '../bus/assemble-endpoint.js';
import type { EndpointOptions } from '../config/endpoint-options.js';
import type { IOncebusModule } from '../modules/oncebus-module.js';
import { type IServiceBus, ServiceBus } from '../bus/service-bus.js';
import type { CodecRegistry } from '../codecs/codec-registry.js';
import type { IMessageHandler } from '../handling/message-handler.js';
import type { IIdempotenceServiceFactory } from '../idempotence/idempotence-service-factory.js';
import type { ILogger } from '../logging/logger.js';
import type { ISerializer } from '../serialization/serializer.js';
import type { ISubscriptionService } from '../subscriptions/subscription-service.js';
import type { IQueueFactory } from '../transport/queue.js';
import { TYPES } from './tokens.js';

/**
 * Configures one endpoint in an inversify container: binds its options and the bus (a singleton under
 * TYPES.ServiceBus), and each handler class that is not bound yet (transient: a new instance per
 * message). Bind your own handler first to choose its scope. The bus takes from the container every
 * TYPES.QueueFactory and TYPES.Module, and, when bound, the idempotence store, subscription service,
 * serializer, codec registry, logger and clock. Handlers are resolved from the container per message.
 */
export function addOncebus(container: Container, options: EndpointOptions): void {
  container.bind<EndpointOptions>(TYPES.EndpointOptions).toConstantValue(options);
  for (const handler of options.handlers ?? []) {
    if (!container.isBound(handler)) container.bind(handler).toSelf();
  }
  container
    .bind<IServiceBus>(TYPES.ServiceBus)
    .toDynamicValue((ctx) => {
      const optional = { optional: true } as const;
      const deps: ServiceBusDependencies = {
        options: ctx.get<EndpointOptions>(TYPES.EndpointOptions),
        queueFactories: ctx.getAll<IQueueFactory>(TYPES.QueueFactory, optional),
        idempotence: ctx.get<IIdempotenceServiceFactory>(TYPES.IdempotenceServiceFactory, optional),
        subscriptions: ctx.get<ISubscriptionService>(TYPES.SubscriptionService, optional),
        serializer: ctx.get<ISerializer>(TYPES.Serializer, optional),
        codecs: ctx.get<CodecRegistry>(TYPES.CodecRegistry, optional),
        logger: ctx.get<ILogger>(TYPES.Logger, optional),
        modules: ctx.getAll<IOncebusModule>(TYPES.Module, optional),
        clock: ctx.get<() => number>(TYPES.Clock, optional),
        // Per message, from the container itself, so the handler's binding scope is honoured.
        resolveHandler: (handler) => container.get<IMessageHandler>(handler),
      };
      return new ServiceBus(deps);
    })
    .inSingletonScope();
}
