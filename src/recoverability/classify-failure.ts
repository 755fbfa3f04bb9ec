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

/**
 * Reads the error's kind (errors/error-codes.ts); an error that is not oncebus's is the handler's when the
 * handler threw it, otherwise the infrastructure's. The infrastructure's kind wins over "the handler threw
 * it": a store failing under the handler's ctx.send is an outage, not the message's fault — and so does
 * `connectionFailure`, the unit of work's reading of a driver error from the handler's own statement (a
 * dropped connection is an outage wherever it surfaces).
 */
export function classifyFailure(error: unknown, handlerError: unknown, stopping: boolean, connectionFailure = false): FailureKind {
  const kind = OncebusError.is(error) ? error.kind : undefined;
  if (kind === 'crash') return 'crash';
  if (kind === 'unreadable') return 'unreadable';
  const fromHandler = error === handlerError && error !== undefined;
  if (fromHandler && stopping) return 'stopped';
  // The store says its connection failed under the statement (a driver error the handler let through).
  if (kind === 'infrastructure' || connectionFailure) return 'infrastructure';
  if (fromHandler || kind === 'message') return 'message';
  return 'infrastructure';
}
