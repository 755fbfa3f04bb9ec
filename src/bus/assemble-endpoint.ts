import { CodecRegistry } from '../codecs/codec-registry.js';
import { ConfigurationError } from '../errors/errors.js';
import { HandlerRegistry, type HandlerResolver } from '../handling/handler-registry.js';
import type { IIdempotenceServiceFactory } from '../idempotence/idempotence-service-factory.js';
import { NullIdempotenceService } from '../idempotence/null-idempotence-service.js';
import { sessionKeyOf } from '../sessions/session-envelope.js';
import { createDefaultLogger, type ILogger } from '../logging/logger.js';
import { type MessageClass, messageTypeNameOf } from '../messages/message-type.js';
import { MessageTypeRegistry } from '../messages/message-type-registry.js';
import { RouteTable } from '../routing/route-table.js';
import { JsonSerializer } from '../serialization/json-serializer.js';
import type { ISerializer } from '../serialization/serializer.js';
import { MemorySubscriptionService } from '../subscriptions/memory-subscription-service.js';
import type { ISubscriptionService } from '../subscriptions/subscription-service.js';
import { type IQueueFactory, isSchedulingQueue } from '../transport/queue.js';
import type { BusEvents } from '../events/bus-events.js';
import type { EndpointOptions } from '../config/endpoint-options.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule } from '../modules/oncebus-module.js';
import { QueueRegistry } from '../transport/queue-registry.js';
import { resolveEndpointOptions } from '../config/resolved-options.js';
import { checkSchedules, scheduleHandlers } from '../schedules/schedule-wiring.js';

/** Everything a bus is made from; the DI module fills it from the container. */
export interface ServiceBusDependencies {
  readonly options: EndpointOptions;
  readonly queueFactories: readonly IQueueFactory[];
  readonly idempotence?: IIdempotenceServiceFactory | undefined;
  readonly subscriptions?: ISubscriptionService | undefined;
  readonly serializer?: ISerializer | undefined;
  readonly codecs?: CodecRegistry | undefined;
  readonly logger?: ILogger | undefined;
  /** How handler instances are obtained for each message; the DI module resolves them from the container. */
  readonly resolveHandler?: HandlerResolver | undefined;
  readonly modules?: readonly IOncebusModule[] | undefined;
  readonly clock?: (() => number) | undefined;
}

export interface AssembledEndpoint {
  readonly services: EndpointServices;
  readonly subscriptions: string[];
}

/**
 * Resolves and checks the configuration and builds the endpoint's collaborators. Every problem is a
 * ConfigurationError naming the setting, raised by start() before anything runs.
 */
export function assembleEndpoint(deps: ServiceBusDependencies, events: BusEvents, stopSignal: AbortSignal): AssembledEndpoint {
  const options = resolveEndpointOptions(deps.options);
  const raw = deps.options;
  const { inbox, outbox } = options;
  const queues = new QueueRegistry(deps.queueFactories);
  if (inbox) {
    queues.check(inbox.workQueueUri, 'inbox.workQueueUri');
    queues.check(inbox.errorQueueUri, 'inbox.errorQueueUri');
    if (inbox.deferredQueueUri) queues.check(inbox.deferredQueueUri, 'inbox.deferredQueueUri');
  }
  if (outbox) {
    queues.check(outbox.workQueueUri, 'outbox.workQueueUri');
    queues.check(outbox.errorQueueUri, 'outbox.errorQueueUri');
  }

  const types = new MessageTypeRegistry();
  for (const [i, t] of (raw.messageTypes ?? []).entries()) types.register(t, `messageTypes[${i}]`);
  const address = inbox ? queues.address(inbox.workQueueUri) : '';
  const clock = deps.clock ?? Date.now;
  // With schedules, the tick handler joins the user's handlers (oncebus.ScheduleTick: one handler, as any type).
  const ticks = scheduleHandlers(options.schedules, address, clock, deps.resolveHandler ?? ((h) => new h()));
  const handlers = new HandlerRegistry([...(raw.handlers ?? []), ...ticks.handlers], types);
  const routes = new RouteTable(raw.routes ?? []);
  for (const uri of routes.uris) queues.check(uri, 'routes');
  for (const [i, uri] of (raw.trustedConnections ?? []).entries()) queues.trust(uri, `trustedConnections[${i}]`);
  (raw.sends ?? []).forEach((t, i) => {
    const name = types.register(t, `sends[${i}]`);
    if (!routes.uriFor(name)) throw new ConfigurationError(`sends[${i}]`, `message type '${name}' has no route`, { hint: 'add a route that matches it' });
  });
  const subscriptions = (raw.subscriptions ?? []).map((t, i) => subscriptionName(t, types, `subscriptions[${i}]`));

  const codecs = deps.codecs ?? new CodecRegistry();
  if (options.compression) codecs.compression(options.compression, 'compression');
  if (options.encryption) codecs.encryption(options.encryption, 'encryption');

  if (options.idempotence && !deps.idempotence) {
    throw new ConfigurationError('idempotence', 'is on, but no idempotence store is bound', {
      hint: 'bind an IIdempotenceServiceFactory (MemoryIdempotenceStore, a SQL store) in the container',
    });
  }
  // A send-only endpoint has no address (''): its envelopes name no sender, so nothing can reply to it.
  const idempotence = options.idempotence ? deps.idempotence!.create(address) : new NullIdempotenceService(address);
  checkSchedules(options.schedules, types, routes, idempotence, ticks.tickHandler);

  const retries = inbox?.durationToIgnoreOnFailure.some((d) => d > 0) && inbox.maximumFailureCount > 1;
  if (inbox && retries && !inbox.deferredQueueUri && !isSchedulingQueue(queues.sender(inbox.workQueueUri))) {
    throw new ConfigurationError('inbox.deferredQueueUri', 'is required: retries wait (durationToIgnoreOnFailure) and the work queue cannot schedule', {
      hint: "add a deferred queue, or set durationToIgnoreOnFailure to ['0ms'] for immediate retries",
    });
  }

  const logger = deps.logger ?? createDefaultLogger();
  const services: EndpointServices = {
    options,
    address,
    queues,
    types,
    handlers,
    resolveHandler: ticks.resolve,
    routes,
    subscriptions: deps.subscriptions ?? nativeSubscriptions(queues, inbox?.workQueueUri, [...routes.uris, ...(raw.trustedConnections ?? [])]) ?? new MemorySubscriptionService(),
    idempotence,
    sessions: deps.idempotence?.createSessionService?.(sessionKeyOf(options.name)) ?? null,
    serializer: deps.serializer ?? new JsonSerializer(),
    codecs,
    logger,
    events,
    clock,
    stopSignal,
  };
  warnAboutRetention(services);
  return { services, subscriptions };
}

/**
 * With no subscription service bound, the transport's own pub/sub (a RabbitMQ exchange per type): that of
 * the inbox's transport, or for a send-only endpoint the first of its routes and trusted connections whose
 * transport has one. An inbox whose transport has none keeps the in-process default, as before.
 */
function nativeSubscriptions(queues: QueueRegistry, inboxUri: string | undefined, others: readonly string[]): ISubscriptionService | undefined {
  if (inboxUri) return queues.nativeSubscriptions(inboxUri);
  for (const uri of others) {
    const native = queues.nativeSubscriptions(uri);
    if (native) return native;
  }
  return undefined;
}

function subscriptionName(t: MessageClass | string, types: MessageTypeRegistry, setting: string): string {
  if (typeof t === 'string') return t;
  if (!messageTypeNameOf(t)) throw new ConfigurationError(setting, `class ${t.name} has no message type name`);
  return types.register(t, setting);
}

/** A retention window shorter than the retry horizon would forget a message while its retries are still coming. */
function warnAboutRetention(s: EndpointServices): void {
  if (!s.idempotence.enabled || !s.idempotence.retentionWindowFor || !s.options.inbox) return;
  const { maximumFailureCount, durationToIgnoreOnFailure: d } = s.options.inbox;
  let horizon = 0;
  for (let i = 0; i < maximumFailureCount - 1; i++) horizon += d[Math.min(i, d.length - 1)] ?? 0;
  for (const messageType of s.handlers.handledTypes) {
    const window = s.idempotence.retentionWindowFor(messageType);
    if (window !== undefined && window < horizon) {
      s.logger.warn('idempotence retention window is shorter than the retry horizon: a late retry could run twice', {
        messageType,
        retentionWindowMs: window,
        retryHorizonMs: horizon,
      });
    }
  }
}
