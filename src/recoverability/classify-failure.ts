import { OncebusError } from '../errors/oncebus-error.js';

/**
 * What kind of failure ended a message's pipeline, which decides where the message goes:
 * - 'crash': a simulated crash (fault injection): released, as a dead process's broker would;
 * - 'stopped': the handler was given up by stop(): released, no failure counted;
 * - 'unreadable': something about the message itself that no retry can change (unknown type, bad body,
 *   no handler, retention passed): the error queue at once;
 * - 'message': the handler threw or timed out, or something it did fails the message the same way every
 *   time (it caught a failed statement, so its transaction is aborted; a stored send to a queue that is
 *   configured wrongly): the retry policy, then the error queue;
 * - 'infrastructure': anything else (the store, the broker, a commit, a flush): released and retried,
 *   uncounted — an outage must poison nothing — unless the same message keeps failing while others pass.
 */
export type FailureKind = 'crash' | 'stopped' | 'unreadable' | 'message' | 'infrastructure';

const UNREADABLE = new Set([
  'ONCEBUS_CORRUPT_ENVELOPE',
  'ONCEBUS_UNKNOWN_MESSAGE_TYPE',
  'ONCEBUS_DESERIALIZATION',
  'ONCEBUS_NO_HANDLER',
  'ONCEBUS_RETENTION_WINDOW_PASSED',
]);

/** Failures of the message's own doing that an outage never causes: counted like a handler's throw. */
const MESSAGE_FAULTS = new Set([
  'ONCEBUS_TRANSACTION_ABORTED',
  'ONCEBUS_TRANSACTION_MISUSE',
  'ONCEBUS_CONFIGURATION',
  'ONCEBUS_QUEUE_MISMATCH',
  'ONCEBUS_NO_ROUTE',
  'ONCEBUS_NO_REPLY_ADDRESS',
]);

/**
 * oncebus's own infrastructure failing: an outage, even when it surfaces through the handler (its
 * ctx.send stores a send, or dispatches one, and the store or the broker fails under it).
 */
const INFRASTRUCTURE = new Set(['ONCEBUS_STORE', 'ONCEBUS_STORE_DEADLOCK', 'ONCEBUS_TRANSPORT', 'ONCEBUS_BROKER_UNAVAILABLE', 'ONCEBUS_LOCK_LOST']);

export function classifyFailure(error: unknown, handlerError: unknown, stopping: boolean): FailureKind {
  const code = OncebusError.is(error) ? error.code : '';
  if (code === 'ONCEBUS_SIMULATED_CRASH') return 'crash';
  if (UNREADABLE.has(code)) return 'unreadable';
  const fromHandler = error === handlerError && error !== undefined;
  if (fromHandler && stopping) return 'stopped';
  if (INFRASTRUCTURE.has(code)) return 'infrastructure';
  if (fromHandler) return 'message';
  if (MESSAGE_FAULTS.has(code)) return 'message';
  return 'infrastructure';
}
