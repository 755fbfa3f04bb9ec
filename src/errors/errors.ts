import { OncebusError, type OncebusErrorOptions } from './oncebus-error.js';

/** A setting is missing or invalid; thrown by `start()` before anything runs. */
export class ConfigurationError extends OncebusError {
  constructor(setting: string, message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_CONFIGURATION', `${setting}: ${message}`, { ...options, setting });
  }
}

/** A schedule's cron expression or time zone cannot be read. */
export class InvalidCronExpressionError extends ConfigurationError {
  constructor(setting: string, readonly expression: string, readonly timezone: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message.split('. ')[0] : String(cause);
    super(setting, `'${expression.slice(0, 100)}' (time zone '${timezone.slice(0, 100)}') is not a cron expression oncebus can read: ${reason}`, {
      cause,
      hint: "write 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, e.g. '0 * * * *' for hourly, and an IANA time zone such as 'Europe/Paris'",
    });
  }
}

/** An entry point was imported without the driver package it runs on (an optional peer dependency). */
export class DriverMissingError extends OncebusError {
  constructor(
    readonly driver: string,
    entry: string,
    cause: unknown,
  ) {
    super('ONCEBUS_DRIVER_MISSING', `${entry} needs the package '${driver}', which is not installed`, {
      cause,
      hint: `run npm install ${driver}`,
    });
  }
}

/** `send`, `publish` or `reply` was given something that is not a message (null, a primitive, a plain object). */
export class InvalidMessageError extends OncebusError {
  constructor(what: string) {
    super('ONCEBUS_INVALID_MESSAGE', `cannot send ${what}: a message is an instance of a class with a message type name`, {
      hint: "declare a class, decorate it with @messageType('shop.PlaceOrder'), and send an instance: bus.send(new PlaceOrder(...))",
    });
  }
}

/** A queue operation (count, purge) that the queue's transport does not offer. */
export class QueueOperationUnsupportedError extends OncebusError {
  constructor(operation: 'count' | 'purge', queueUri: string) {
    super('ONCEBUS_QUEUE_OPERATION_UNSUPPORTED', `the transport of '${queueUri}' cannot ${operation} its messages`, {
      queueUri,
      hint: operation === 'count' ? "use the broker's own tools to see the queue's depth" : "use the broker's own tools to purge the queue",
    });
  }
}

/** Bytes that are not an oncebus envelope (bad JSON, missing fields, bad base64). */
export class CorruptEnvelopeError extends OncebusError {
  constructor(message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_CORRUPT_ENVELOPE', message, {
      hint: 'the sender did not write an oncebus TransportMessage; the raw bytes are kept in the error queue',
      ...options,
    });
  }
}

/**
 * A message over the endpoint's bounds: an envelope larger than `maxMessageSize`, a body that would
 * decompress past it, or more headers than an envelope may carry. It goes to the error queue as it came,
 * before the endpoint spends the memory it asks for.
 */
export class MessageTooLargeError extends OncebusError {
  constructor(message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_MESSAGE_TOO_LARGE', message, {
      hint: "if such messages are legitimate, raise the endpoint's maxMessageSize (or keep large payloads elsewhere and send a reference)",
      setting: 'maxMessageSize',
      ...options,
    });
  }
}

/** The envelope names a message type this endpoint has not registered. */
export class UnknownMessageTypeError extends OncebusError {
  constructor(messageType: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_UNKNOWN_MESSAGE_TYPE', `unknown message type '${messageType}'`, {
      hint: 'register the class with @messageType(...) and list it in the endpoint options',
      ...options,
      messageType,
    });
  }
}

/** The body could not be turned back into the message (serializer, decompression or decryption failed). */
export class MessageDeserializationError extends OncebusError {
  constructor(message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_DESERIALIZATION', message, options);
  }
}

/** No handler is registered for a message that reached this endpoint. */
export class NoHandlerError extends OncebusError {
  constructor(messageType: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_NO_HANDLER', `no handler for message type '${messageType}'`, { ...options, messageType });
  }
}

/** Two handlers were registered for one message type on one endpoint (one is allowed). */
export class DuplicateHandlerError extends OncebusError {
  constructor(messageType: string) {
    super('ONCEBUS_DUPLICATE_HANDLER', `more than one handler for message type '${messageType}'`, {
      messageType,
      setting: 'handlers',
      hint: 'an endpoint has exactly one handler per message type; do both jobs in one handler or use two endpoints',
    });
  }
}

/** `send` found no route for the message type. */
export class NoRouteError extends OncebusError {
  constructor(messageType: string) {
    super('ONCEBUS_NO_ROUTE', `no route for message type '${messageType}'`, {
      messageType,
      setting: 'routes',
      hint: 'add a route whose specification matches the type, or pass { recipient } / { local: true }',
    });
  }
}

/**
 * A message named a destination (a reply address, a subscriber) on a connection this endpoint was not
 * configured for: sending there would hand the endpoint's credentials to a host of the sender's choosing.
 */
export class UntrustedDestinationError extends OncebusError {
  constructor(readonly connection: string) {
    super('ONCEBUS_UNTRUSTED_DESTINATION', `refused to send to ${connection}: not a connection this endpoint is configured for`, {
      hint: `if ${connection} is yours, list it in the endpoint's trustedConnections`,
    });
  }
}

/** A transport, store or service could not be reached or failed underneath oncebus. */
export class TransportError extends OncebusError {
  constructor(message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_TRANSPORT', message, options);
  }
}

/** The bus is not in a state that allows the call (send before start, start twice). */
export class BusStateError extends OncebusError {
  constructor(message: string) {
    super('ONCEBUS_BUS_STATE', message);
  }
}

/** A pipeline definition is inconsistent (unknown event, observer registered twice). Thrown at build time. */
export class PipelineDefinitionError extends OncebusError {
  constructor(message: string) {
    super('ONCEBUS_PIPELINE_DEFINITION', message);
  }
}

/**
 * Throw from a handler to send the message straight to the error queue: retrying cannot help
 * (a validation failure, say). Counts as one failure, recorded in `failureMessages`.
 */
export class UnrecoverableHandlerError extends OncebusError {
  constructor(message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_UNRECOVERABLE', message, options);
  }
}

/** A database the idempotence service, subscriptions or a SQL queue depend on failed. */
export class StoreError extends OncebusError {
  constructor(message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_STORE', message, options);
  }
}

/**
 * A handler ran longer than the endpoint's `handlerTimeout`: its signal is aborted, its unit of work rolled
 * back, and the message goes to the retry policy like any handler failure. Whatever the handler does after
 * this is refused by its (closed) transaction.
 */
export class HandlerTimeoutError extends OncebusError {
  constructor(messageId: string, timeoutMs: number) {
    super('ONCEBUS_HANDLER_TIMEOUT', `the handler did not finish within handlerTimeout (${timeoutMs} ms)`, {
      messageId,
      setting: 'handlerTimeout',
      hint: 'make the handler finish sooner (or stop when ctx.signal aborts), or raise handlerTimeout',
    });
  }
}

/**
 * The unit of work's transaction was aborted by a statement that failed inside it and was caught (by the
 * handler): nothing of it can commit. It fails this message the same way every time, so it counts as a
 * failure of the message (retries, then the error queue), never as an outage.
 */
export class TransactionAbortedError extends OncebusError {
  constructor(message: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_TRANSACTION_ABORTED', message, {
      hint: 'a handler caught a database error and carried on; let it throw, or roll back to a savepoint of its own',
      ...options,
    });
  }
}

/** A statement a handler may not run on its unit of work's transaction, or one run after the unit of work ended. */
export class TransactionMisuseError extends OncebusError {
  constructor(message: string, hint: string) {
    super('ONCEBUS_TRANSACTION_MISUSE', message, { hint });
  }
}

/**
 * Thrown by a fault-injection observer to stop a pipeline at a named point, as a crash would.
 * Tests and the crash harness use it; nothing in src/ throws it by itself.
 */
export class SimulatedCrash extends OncebusError {
  constructor(point: string) {
    super('ONCEBUS_SIMULATED_CRASH', `simulated crash at ${point}`);
  }
}
export { OncebusError } from './oncebus-error.js';

/**
 * Idempotence is on and the message is older than the retention window: its completed row may have been
 * removed, so running it could repeat an effect. It goes to the error queue; to run it anyway, send it
 * back with the header `oncebus-ignore-retention: true`.
 */
export class RetentionWindowPassedError extends OncebusError {
  constructor(messageId: string, ageMs: number, windowMs: number) {
    super(
      'ONCEBUS_RETENTION_WINDOW_PASSED',
      `message is ${Math.round(ageMs / 1000)}s old, beyond the idempotence retention window of ${Math.round(windowMs / 1000)}s; ` +
        'it may have been handled already and its record removed',
      { messageId, hint: "return it with header 'oncebus-ignore-retention: true' to run it anyway" },
    );
  }
}

/**
 * A store started with `migrate: false` found its schema behind the code (migrations not applied, or a queue
 * table never created): it issues no DDL itself, so it stops here instead of failing later on a missing
 * table. The hint names the `oncebus migrate` command that brings the schema up to date.
 */
export class SchemaNotMigratedError extends OncebusError {
  constructor(message: string, hint: string, queueUri?: string) {
    super('ONCEBUS_SCHEMA_NOT_MIGRATED', message, { hint, queueUri });
  }
}

/**
 * A schedule tick this endpoint did not send: its tick is not one of the schedule's, lies in the future, or
 * its messageId is not the one oncebus derives for it. Straight to the error queue: no retry makes it right.
 */
export class ForgedScheduleTickError extends UnrecoverableHandlerError {
  constructor(schedule: string, reason: string, messageId: string) {
    super(`schedule tick refused for schedule '${printable(schedule)}': ${reason}`, {
      messageId,
      hint: 'only the endpoint itself sends oncebus.ScheduleTick messages to its inbox: look for who else writes to it',
    });
  }
}

/**
 * A schedule tick names a schedule this process does not have: another process of the endpoint runs a
 * configuration with it (a deploy under way), or it was removed while its tick waited in the queue. Retried,
 * then the error queue: a process with the schedule may take it meanwhile.
 */
export class UnknownScheduleError extends ConfigurationError {
  constructor(schedule: string) {
    super('schedules', `no schedule named '${printable(schedule)}' in this process`, {
      hint: 'run the same schedules in every process of the endpoint; return the tick from the error queue once they do, or delete it if the schedule is gone',
    });
  }
}

/** A name a message carried, safe to put in a log line: short, printable ASCII. */
const printable = (text: string): string => String(text).slice(0, 100).replace(/[^\x20-\x7e]/g, '?');

/**
 * A saga instance was changed by another unit of work between this one's load and its save (a racing
 * starting message inserted it first, or another message for it committed a newer version). Nothing of
 * this unit of work commits; the message is released and retried uncounted and, next time, loads the
 * state the winner committed ("the loser retries into the winner"). It cannot loop forever: each such
 * failure means another unit of work made progress.
 */
export class SagaConcurrencyError extends OncebusError {
  constructor(
    readonly sagaType: string,
    readonly correlationId: string,
    options: OncebusErrorOptions = {},
  ) {
    super('ONCEBUS_SAGA_CONCURRENCY', `saga '${printable(sagaType)}' instance '${printable(correlationId)}' was changed by another message first`, {
      hint: 'nothing to do: the message is retried and sees the newer state; if it keeps happening, many messages race for one instance (lower threadCount or correlate more finely)',
      ...options,
    });
  }
}

/**
 * A message a saga handles carries no usable correlation value (empty, over 200 characters, control
 * characters, not a string or number, or the correlation function threw), or a saga timeout lacks its
 * headers. No retry changes the message, so it goes to the error queue.
 */
export class SagaCorrelationError extends OncebusError {
  constructor(sagaType: string, reason: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_SAGA_CORRELATION', `saga '${printable(sagaType)}': ${reason}`, {
      hint: "fix the sender (or the saga's correlation function), then return the message from the error queue",
      ...options,
    });
  }
}

/**
 * No saga instance answers the message (none was started for its correlation value, or it completed) and
 * the saga's `whenNotFound` policy said 'retry' (counted, then the error queue) or 'poison' (the error queue).
 */
export class SagaNotFoundError extends OncebusError {
  constructor(sagaType: string, correlationId: string, options: OncebusErrorOptions = {}) {
    super('ONCEBUS_SAGA_NOT_FOUND', `saga '${printable(sagaType)}' has no running instance for '${printable(correlationId)}'`, {
      hint: 'the message came before the one that starts the saga, or after it completed; return it from the error queue once the instance exists',
      ...options,
    });
  }
}

/**
 * An HTTP request's Idempotency-Key is held by another attempt: one still in flight (the client gets 409 and
 * Retry-After), or — raised inside the route's transaction when the response is stored — another attempt took
 * the key over after this one's lease ran out, so this one rolls back and its effects never commit.
 */
export class IdempotencyKeyConflictError extends OncebusError {
  constructor(
    readonly scope: string,
    readonly key: string,
    reason: 'in-flight' | 'taken-over',
    options: OncebusErrorOptions = {},
  ) {
    const why =
      reason === 'in-flight'
        ? 'is being processed by another request'
        : "was taken over by another attempt after this one's lease ran out: this attempt rolled back";
    super('ONCEBUS_IDEMPOTENCY_KEY_CONFLICT', `Idempotency-Key '${printable(key)}' (scope '${printable(scope)}') ${why}`, {
      hint: reason === 'in-flight' ? 'retry after the Retry-After delay: the first request answers, and a retry replays its response' : 'raise the route\'s leaseMs above the longest time its transaction takes',
      ...options,
    });
  }
}
