// The public API of oncebus's core: what an application that configures endpoints, writes handlers and
// sends messages uses. Re-exports only. Transports and SQL stores have their own entries (oncebus/rabbitmq,
// oncebus/postgres, …) so their drivers load only when imported; what an author of an extension, a
// transport or a store works with is in oncebus/extending.

// The bus and its configuration
export { ServiceBus, type IServiceBus } from './bus/service-bus.js';
export type { BusStatus, BusPhase } from './bus/bus-status.js';
export type { ServiceBusDependencies } from './bus/assemble-endpoint.js';
export { addOncebus } from './di/add-oncebus.js';
export { TYPES } from './di/tokens.js';
export type { EndpointOptions, InboxOptions, OutboxOptions, IdempotenceOptions } from './config/endpoint-options.js';
export type { ScheduleOptions } from './config/schedule-options.js';
export { SCHEDULE_HEADER, SCHEDULE_TICK_HEADER } from './schedules/schedule-headers.js';
export { loadEndpointSettings } from './config/load-endpoint-options.js';
export { InvalidSettingsError, type SettingProblem } from './config/check-settings.js';
export type { EndpointSettings } from './config/endpoint-schema.js';
export { parseDuration, type Duration } from './config/duration.js';
export type { Route, RouteSpecification } from './routing/route-specification.js';
export { BusEvents, type BusEventMap } from './events/bus-events.js';
export type { BackOffReason, ReceiveLoopStatus } from './processing/receive-loop.js';
export type { ITransactionalSession } from './sessions/transactional-session.js';

// Messages and handlers
export { messageType, messageTypeNameOf, type MessageClass } from './messages/message-type.js';
export { handlesMessage, type HandlerClass } from './handling/handles-message.js';
export type { IMessageHandler, IHandlerContext, FailureHandling } from './handling/message-handler.js';
export type { SendOptions, PublishOptions, ReplyOptions } from './handling/send-options.js';
export type { TransportMessage } from './envelope/transport-message.js';
export { UNREADABLE_MESSAGE_TYPE, FAILURE_REASON_HEADER, SOURCE_QUEUE_HEADER, IGNORE_RETENTION_HEADER } from './envelope/oncebus-headers.js';

// What runs without any server: the memory transport, idempotence store and subscriptions (tests, demos)
export { MemoryBroker } from './transports/memory/index.js';
export { DEFAULT_MAX_MESSAGE_SIZE } from './envelope/message-limits.js';
export { MemoryIdempotenceStore, type MemoryTransaction } from './idempotence/memory/index.js';
export { MemorySubscriptionService } from './subscriptions/memory-subscription-service.js';

// Bodies: serialization, compression, encryption
export type { ISerializer } from './serialization/serializer.js';
export { JsonSerializer } from './serialization/json-serializer.js';
export type { ICompressionAlgorithm } from './codecs/compression.js';
export type { IEncryptionAlgorithm } from './codecs/encryption.js';
export { ENCRYPTION_KEY_ID_HEADER } from './codecs/encryption.js';
export { GzipCompression } from './codecs/gzip-compression.js';
export { Aes256GcmEncryption } from './codecs/aes256gcm-encryption.js';
export { CodecRegistry } from './codecs/codec-registry.js';

export { type ILogger, createDefaultLogger, createSilentLogger } from './logging/logger.js';

// Errors: match on `code` (a stable union); `kind` says whose fault it is
export { OncebusError, type OncebusErrorContext } from './errors/oncebus-error.js';
export { ERROR_KINDS, type ErrorKind, type OncebusErrorCode } from './errors/error-codes.js';
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
  SchemaNotMigratedError,
  SimulatedCrash,
  StoreError,
  TransportError,
  UnknownMessageTypeError,
  UnrecoverableHandlerError,
  UntrustedDestinationError,
  HandlerTimeoutError,
  TransactionAbortedError,
  TransactionMisuseError,
  InvalidCronExpressionError,
  ForgedScheduleTickError,
  UnknownScheduleError,
  SagaConcurrencyError,
  SagaCorrelationError,
  SagaNotFoundError,
  IdempotencyKeyConflictError,
} from './errors/errors.js';
