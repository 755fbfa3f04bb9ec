import { OncebusError } from '../errors/oncebus-error.js';
import type { FailureHandling } from '../handling/message-handler.js';

export interface RetryPolicy {
  readonly maximumFailureCount: number;
  /** Back-off before the next attempt, indexed by failures so far minus one; the last entry repeats. */
  readonly durationToIgnoreOnFailure: readonly number[];
}

export type FailureDecision =
  | { readonly action: 'retry'; readonly ignoreTillDate: number }
  | { readonly action: 'error-queue'; readonly reason: string }
  | { readonly action: 'release' };

/**
 * What to do with a message whose handling failed: a pure function of the failures recorded so far
 * (including this one), the error, the policy, the handler's override and the time, so it is tested as a table.
 */
export function decideFailure(
  failureCount: number,
  error: unknown,
  policy: RetryPolicy,
  handling: FailureHandling,
  now: number,
): FailureDecision {
  if (handling === 'block') return { action: 'release' };
  if (handling === 'poison') return { action: 'error-queue', reason: 'the handler marked the message as poison' };
  if (OncebusError.is(error) && error.code === 'ONCEBUS_UNRECOVERABLE') {
    return { action: 'error-queue', reason: 'unrecoverable error' };
  }
  if (failureCount >= policy.maximumFailureCount) {
    return { action: 'error-queue', reason: `failed ${failureCount} time(s), maximumFailureCount is ${policy.maximumFailureCount}` };
  }
  const durations = policy.durationToIgnoreOnFailure;
  const wait = durations.length === 0 ? 0 : durations[Math.min(failureCount - 1, durations.length - 1)]!;
  return { action: 'retry', ignoreTillDate: wait > 0 ? now + wait : 0 };
}

/** One line for `failureMessages`: when, where and what failed. */
export function failureLine(error: unknown, now: number, endpoint: string): string {
  const what =
    error instanceof Error ? `${error.name}: ${error.message}${OncebusError.is(error) ? ` [${error.code}]` : ''}` : String(error);
  return `${new Date(now).toISOString()} ${endpoint} ${what}`;
}
