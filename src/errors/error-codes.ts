/**
 * Every code an OncebusError carries, and its kind: whose fault a failure with that code is, which decides
 * where a message it fails goes (recoverability/classify-failure.ts). Adding a code means choosing its kind
 * here — the compiler refuses a code without one, so a new transport's error is never taken for an outage
 * by omission.
 * - 'infrastructure': oncebus's own infrastructure failed (a store, a broker, a commit): the message is
 *   released and retried uncounted — an outage poisons nothing;
 * - 'message': fails this message the same way every time (a transaction its handler left aborted, a send to a
 *   queue configured wrongly): counted like a handler's throw, then the error queue;
 * - 'unreadable': something about the message itself that no retry changes (bad bytes, unknown type, no
 *   handler, too large): the error queue at once;
 * - 'contextual': whose fault depends on where it surfaced (a handler's own UnrecoverableHandlerError or
 *   timeout, a send before start, a plain object sent, a duplicate key, a broker refusing a publish): the
 *   handler's failure when its handler raised it, otherwise released like the infrastructure's;
 * - 'crash': a simulated crash (fault injection): released, as a dead process's broker would.
 */
export const ERROR_KINDS = {
  ONCEBUS_CONFIGURATION: 'message',
  ONCEBUS_NO_ROUTE: 'message',
  ONCEBUS_NO_REPLY_ADDRESS: 'message',
  ONCEBUS_QUEUE_MISMATCH: 'message',
  ONCEBUS_TRANSACTION_ABORTED: 'message',
  ONCEBUS_TRANSACTION_MISUSE: 'message',
  ONCEBUS_SAGA_NOT_FOUND: 'message',
  ONCEBUS_UNRECOVERABLE: 'contextual',
  ONCEBUS_HANDLER_TIMEOUT: 'contextual',

  ONCEBUS_CORRUPT_ENVELOPE: 'unreadable',
  ONCEBUS_UNKNOWN_MESSAGE_TYPE: 'unreadable',
  ONCEBUS_DESERIALIZATION: 'unreadable',
  ONCEBUS_NO_HANDLER: 'unreadable',
  ONCEBUS_RETENTION_WINDOW_PASSED: 'unreadable',
  ONCEBUS_UNTRUSTED_DESTINATION: 'unreadable',
  ONCEBUS_MESSAGE_TOO_LARGE: 'unreadable',
  ONCEBUS_SAGA_CORRELATION: 'unreadable',

  ONCEBUS_STORE: 'infrastructure',
  ONCEBUS_STORE_DEADLOCK: 'infrastructure',
  ONCEBUS_TRANSPORT: 'infrastructure',
  ONCEBUS_BROKER_UNAVAILABLE: 'infrastructure',
  // Refused login or vhost: fails start() at once; mid-run (a rotated password) it is released, poisons nothing.
  ONCEBUS_BROKER_ACCESS_REFUSED: 'infrastructure',
  ONCEBUS_LOCK_LOST: 'infrastructure',
  ONCEBUS_SCHEMA_NOT_MIGRATED: 'infrastructure',
  // Another unit of work advanced the saga instance first: retried uncounted, and it loads the newer state.
  ONCEBUS_SAGA_CONCURRENCY: 'infrastructure',
  // An HTTP request's Idempotency-Key is held by another attempt (in flight, or it took the key over): 409.
  ONCEBUS_IDEMPOTENCY_KEY_CONFLICT: 'contextual',

  ONCEBUS_STORE_DUPLICATE_KEY: 'contextual',
  ONCEBUS_PUBLISH_REJECTED: 'contextual',
  ONCEBUS_STALE_DELIVERY: 'contextual',
  ONCEBUS_ENTITY_NOT_FOUND: 'contextual',

  ONCEBUS_BUS_STATE: 'contextual',
  ONCEBUS_INVALID_MESSAGE: 'contextual',
  ONCEBUS_DRIVER_MISSING: 'contextual',
  ONCEBUS_QUEUE_OPERATION_UNSUPPORTED: 'contextual',
  ONCEBUS_DUPLICATE_HANDLER: 'contextual',
  ONCEBUS_PIPELINE_DEFINITION: 'contextual',
  ONCEBUS_DELIVERY_ALREADY_SETTLED: 'contextual',

  ONCEBUS_SIMULATED_CRASH: 'crash',
} as const satisfies Record<`ONCEBUS_${string}`, ErrorKind>;

export type ErrorKind = 'infrastructure' | 'message' | 'unreadable' | 'contextual' | 'crash';

/** The stable codes of oncebus's errors: match on these, not on messages. */
export type OncebusErrorCode = keyof typeof ERROR_KINDS;
