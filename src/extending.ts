// oncebus/extending: what an author of an extension module, a transport or a store works with — the pipeline
// engine, each pipeline's events and state, the module contract, and the ports (queue, idempotence,
// subscriptions) with their helpers. Re-exports only. An application needs none of it (see `oncebus`).

// Pipelines and modules
export {
  PipelineBuilder,
  Pipeline,
  PIPELINE_EXCEPTION_EVENT,
  PIPELINE_END_EVENT,
  type IPipelineObserver,
  type IAroundStep,
  type PipelineState,
  type PipelineEndEvent,
  type StageDefinition,
  type StateMap,
  type UniformStates,
  type EventOf,
  type Step,
} from './pipeline/pipeline.js';
export type { IOncebusModule, PipelineBuilders, PipelineName, PipelineEvents } from './modules/oncebus-module.js';
export type { EndpointServices } from './modules/endpoint-services.js';
export type { ResolvedEndpointOptions, ResolvedInbox, ResolvedQueueProcessing } from './config/resolved-options.js';
export type { ResolvedSchedule } from './config/resolve-schedules.js';
export type { CronExpression } from './config/cron-expression.js';
export { INBOX_STAGES, type InboxEvent, type InboxStates, type InboxStateAt } from './pipelines/inbox/inbox-pipeline.js';
export { InboxMessageState, type InboxRead, type InboxDecoding, type InboxDecoded, type FailureAction } from './pipelines/inbox/inbox-message-state.js';
export { OUTGOING_STAGES, type OutgoingEvent, type OutgoingStates } from './pipelines/outgoing/outgoing-pipeline.js';
export { OutgoingMessageState, type OutgoingKind, type SendOrigin } from './pipelines/outgoing/outgoing-message-state.js';
export { FLUSH_STAGES, type FlushEvent, type FlushStates } from './pipelines/flush/flush-pipeline.js';
export { FlushMessageState } from './pipelines/flush/flush-message-state.js';
export { DEFERRED_STAGES, type DeferredEvent, type DeferredStates } from './pipelines/deferred/deferred-pipeline.js';
export { DeferredMessageState } from './pipelines/deferred/deferred-message-state.js';
export { OUTBOX_STAGES, type OutboxEvent, type OutboxStates } from './pipelines/outbox/outbox-pipeline.js';
export { ReceivedMessageState, type Taken, type WithEnvelope } from './pipelines/received-message-state.js';
export type { HandlerRegistry, HandlerResolver } from './handling/handler-registry.js';
export type { MessageTypeRegistry } from './messages/message-type-registry.js';
export type { RouteTable } from './routing/route-table.js';
export { decideFailure, type FailureDecision, type RetryPolicy } from './recoverability/decide-failure.js';

// The envelope on the wire (docs/wire-format.md)
export { emptyTransportMessage } from './envelope/transport-message.js';
export type { MessageLimits } from './envelope/message-limits.js';
export { serializeTransportMessage, deserializeTransportMessage, WIRE_FORMAT_VERSION } from './envelope/wire-format.js';

// Transports: the queue port, its optional capabilities, and the registry the bus keeps them in
export type { IQueue, IQueueFactory, ReceivedMessage, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue, ISchedulingQueue, ITransactionalQueue, ISharedReceiverQueue, IReadyMessageQueue, IDeferredAcknowledgementQueue } from './transport/queue.js';
export { isCreateQueue, isPurgeQueue, isDropQueue, isCountQueue, isSchedulingQueue, isTransactionalQueue, isSharedReceiverQueue, isReadyMessageQueue, isDeferredAcknowledgementQueue } from './transport/queue.js';
export type { QueueRegistry } from './transport/queue-registry.js';
// Health: what a transport or store tells a host's readiness probe (optional capability)
export { hasHealthCheck, type IHealthCheck, type HealthCheckResult } from './health/health-check.js';
export { PriorityFifo, type MemoryQueueState } from './transports/memory/index.js';
export type { MemoryQueueEntry } from './transports/memory/memory-queue.js';

// Stores: the idempotence port (and its session part), subscriptions
export {
  ProcessingStatus,
  type IIdempotenceService,
  type IIdempotenceClaim,
  type IIdempotenceFlush,
  type IIdempotenceAdmin,
  type DeferredMessage,
} from './idempotence/idempotence-service.js';
export { IdempotenceKeys } from './idempotence/idempotence-key.js';
export type { IIdempotenceServiceFactory } from './idempotence/idempotence-service-factory.js';
export type { ISessionIdempotenceService } from './idempotence/session-idempotence-service.js';
export { IdempotenceEvents, type IdempotenceEventMap, type PendingSends } from './idempotence/idempotence-events.js';
export type { IUnitOfWork, IUnitOfWorkRecords, RecordTableName } from './idempotence/unit-of-work.js';
export { NullIdempotenceService } from './idempotence/null-idempotence-service.js';
export type { MemoryIdempotenceService, MemoryRow, MemoryUnitOfWork } from './idempotence/memory/index.js';
export type { RowStatus } from './idempotence/memory/memory-idempotence-store.js';
export type { ISubscriptionService } from './subscriptions/subscription-service.js';

// Settings as data (JSON Schema generation, tools)
export { endpointSettingsSchema, endpointOptionsSchema } from './config/endpoint-schema.js';
export type { AesKeyRing } from './codecs/aes256gcm-encryption.js';
export type { OncebusErrorOptions } from './errors/oncebus-error.js';
