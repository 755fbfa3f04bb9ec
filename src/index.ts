// The public API of oncebus's core. Re-exports only; transports and SQL stores have their own entries
// (oncebus/rabbitmq, oncebus/postgres, …) so their drivers load only when imported.
export { ServiceBus, type IServiceBus } from './bus/service-bus.js';
export type { ServiceBusDependencies } from './bus/assemble-endpoint.js';
export type { EndpointOptions, InboxOptions, OutboxOptions, IdempotenceOptions } from './config/endpoint-options.js';
export { BusEvents, type BusEventMap } from './events/bus-events.js';
export type { ITransactionalSession } from './sessions/transactional-session.js';
export type { ISessionIdempotenceService } from './sessions/session-service.js';
export type { BackOffReason } from './processing/receive-loop.js';
export type { IOncebusModule, PipelineBuilders } from './modules/oncebus-module.js';
export type { EndpointServices, HandlerScope } from './modules/endpoint-services.js';
export { addOncebus } from './di/add-oncebus.js';
export { TYPES } from './di/tokens.js';
export { loadEndpointSettings } from './config/load-endpoint-options.js';
export { InvalidSettingsError, type SettingProblem } from './config/check-settings.js';
export type { EndpointSettings } from './config/endpoint-schema.js';
export { parseDuration, type Duration } from './config/duration.js';

export { messageType, messageTypeNameOf, type MessageClass } from './messages/message-type.js';
export { handlesMessage, type HandlerClass } from './handling/handles-message.js';
export type { IMessageHandler, IHandlerContext, FailureHandling } from './handling/message-handler.js';
export type { SendOptions, PublishOptions, ReplyOptions } from './handling/send-options.js';

export { type TransportMessage, emptyTransportMessage } from './envelope/transport-message.js';
export { serializeTransportMessage, deserializeTransportMessage, WIRE_FORMAT_VERSION } from './envelope/wire-format.js';
export { DEFAULT_MAX_MESSAGE_SIZE, type MessageLimits } from './envelope/message-limits.js';

export { PipelineBuilder, Pipeline, PIPELINE_EXCEPTION_EVENT, type IPipelineObserver, type PipelineState, type StageDefinition } from './pipeline/pipeline.js';
export { INBOX_STAGES } from './pipelines/inbox/inbox-pipeline.js';
export { InboxMessageState } from './pipelines/inbox/inbox-message-state.js';
export { TRANSPORT_MESSAGE_STAGES, DISPATCH_STAGES } from './pipelines/outgoing/outgoing-pipelines.js';
export { OutgoingMessageState } from './pipelines/outgoing/outgoing-message-state.js';
export { FLUSH_STAGES } from './pipelines/flush/flush-pipeline.js';
export { FlushMessageState } from './pipelines/flush/flush-message-state.js';
export { DEFERRED_STAGES } from './pipelines/deferred/deferred-pipeline.js';
export { OUTBOX_STAGES } from './pipelines/outbox/outbox-pipeline.js';
export { STARTUP_STAGES, SHUTDOWN_STAGES } from './pipelines/lifecycle/lifecycle-pipelines.js';
export { ReceivedMessageState } from './pipelines/received-message-state.js';

export type { IQueue, IQueueFactory, ReceivedMessage, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue, ISchedulingQueue, ITransactionalQueue, ISharedReceiverQueue } from './transport/queue.js';
export { isCreateQueue, isPurgeQueue, isDropQueue, isCountQueue, isSchedulingQueue, isTransactionalQueue, isSharedReceiverQueue } from './transport/queue.js';
export { MemoryBroker, PriorityFifo } from './transports/memory/index.js';

export { ProcessingStatus, type IIdempotenceService, type DeferredMessage } from './idempotence/idempotence-service.js';
export type { IIdempotenceServiceFactory } from './idempotence/idempotence-service-factory.js';
export { IdempotenceEvents, type IdempotenceEventMap, type PendingSends } from './idempotence/idempotence-events.js';
export type { IUnitOfWork } from './idempotence/unit-of-work.js';
export { NullIdempotenceService } from './idempotence/null-idempotence-service.js';
export { MemoryIdempotenceStore, type MemoryTransaction } from './idempotence/memory/index.js';

export type { ISubscriptionService } from './subscriptions/subscription-service.js';
export { MemorySubscriptionService } from './subscriptions/memory-subscription-service.js';
export type { Route, RouteSpecification } from './routing/route-specification.js';

export { decideFailure, type FailureDecision, type RetryPolicy } from './recoverability/decide-failure.js';
export { UNREADABLE_MESSAGE_TYPE, FAILURE_REASON_HEADER, SOURCE_QUEUE_HEADER } from './recoverability/failed-message-mover.js';
export { IGNORE_RETENTION_HEADER } from './pipelines/inbox/check-idempotence-observer.js';

export type { ISerializer } from './serialization/serializer.js';
export { JsonSerializer } from './serialization/json-serializer.js';
export type { ICompressionAlgorithm } from './codecs/compression.js';
export type { IEncryptionAlgorithm } from './codecs/encryption.js';
export { ENCRYPTION_KEY_ID_HEADER } from './codecs/encryption.js';
export { GzipCompression } from './codecs/gzip-compression.js';
export { Aes256GcmEncryption } from './codecs/aes256gcm-encryption.js';
export { CodecRegistry } from './codecs/codec-registry.js';

export { type ILogger, createDefaultLogger, createSilentLogger } from './logging/logger.js';

export { OncebusError, type OncebusErrorContext } from './errors/oncebus-error.js';
export {
  BusStateError,
  ConfigurationError,
  DriverMissingError,
  InvalidMessageError,
  QueueOperationUnsupportedError,
  CorruptEnvelopeError,
  DuplicateHandlerError,
  MessageDeserializationError,
  MessageTooLargeError,
  NoHandlerError,
  NoRouteError,
  PipelineDefinitionError,
  RetentionWindowPassedError,
  SimulatedCrash,
  StoreError,
  TransportError,
  UnknownMessageTypeError,
  UnrecoverableHandlerError,
} from './errors/errors.js';
export { FaultInjectionModule, type FaultPoint, type FaultAction } from './faults/fault-injection-module.js';

// Types public signatures refer to (extension modules, stores, transports).
export type * from './extending.js';
export { endpointSettingsSchema, endpointOptionsSchema } from './config/endpoint-schema.js';
