import type { CodecRegistry } from '../codecs/codec-registry.js';
import type { HandlerResolver } from '../handling/handler-registry.js';
import type { HandlerRegistry } from '../handling/handler-registry.js';
import type { IIdempotenceService } from '../idempotence/idempotence-service.js';
import type { ISessionIdempotenceService } from '../idempotence/session-idempotence-service.js';
import type { ILogger } from '../logging/logger.js';
import type { MessageTypeRegistry } from '../messages/message-type-registry.js';
import type { RouteTable } from '../routing/route-table.js';
import type { ISerializer } from '../serialization/serializer.js';
import type { ISubscriptionService } from '../subscriptions/subscription-service.js';
import type { BusEvents } from '../events/bus-events.js';
import type { QueueRegistry } from '../transport/queue-registry.js';
import type { ResolvedEndpointOptions } from '../config/resolved-options.js';

/**
 * What one endpoint's observers work with, assembled once at start. A plain record of collaborators,
 * each with one job; observers take the few they need in their constructors.
 */
export interface EndpointServices {
  readonly options: ResolvedEndpointOptions;
  /**
   * The endpoint's identity: the address of its inbox work queue (secret-free, the same however the URI is
   * written). Idempotence rows, subscriptions, reply addresses and headers use it, never the raw URI.
   */
  readonly address: string;
  readonly queues: QueueRegistry;
  readonly types: MessageTypeRegistry;
  readonly handlers: HandlerRegistry;
  readonly resolveHandler: HandlerResolver;
  readonly routes: RouteTable;
  readonly subscriptions: ISubscriptionService;
  readonly idempotence: IIdempotenceService;
  /** Behind `bus.withTransaction`: the bound idempotence store's session service, or null when it has none. */
  readonly sessions: ISessionIdempotenceService | null;
  readonly serializer: ISerializer;
  readonly codecs: CodecRegistry;
  readonly logger: ILogger;
  readonly events: BusEvents;
  /** Epoch ms; injectable so tests control time. */
  readonly clock: () => number;
  /** Aborted when stop() gives up waiting for in-flight messages. */
  readonly stopSignal: AbortSignal;
}
