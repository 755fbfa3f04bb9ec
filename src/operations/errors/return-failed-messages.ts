import { cloneTransportMessage } from '../../envelope/transport-message.js';
import { serializeTransportMessage } from '../../envelope/wire-format.js';

import { ConfigurationError, OncebusError } from '../../errors/errors.js';

import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import type { FailedMessageDetail, FailedMessageStore } from './failed-message-store.js';
import { EXCEPTION_STACK_HEADER, EXCEPTION_TYPE_HEADER, IGNORE_RETENTION_HEADER, SOURCE_QUEUE_HEADER, UNREADABLE_MESSAGE_TYPE } from '../../envelope/oncebus-headers.js';

export interface ReturnOptions {
  /** Who asked (recorded with the action). */
  readonly by: string;
  /**
   * Adds `oncebus-ignore-retention: true`: the endpoint runs it even past its retention window. Without it,
   * the header is taken out of what is returned (a failed message may carry a forged one).
   */
  readonly ignoreRetention?: boolean;
  readonly clock?: () => number;
  /**
   * How long a stored return is left to the process that stored it before another resumes it (default
   * 30 s): a live returner is not raced, a dead one's returns are finished by the next return after that.
   */
  readonly resumeAfterMs?: number;
}

/** A process that stored a return has this long to dispatch it before another resumes it. */
export const RESUME_RETURNS_AFTER_MS = 30_000;

export interface ActionReport {
  /** Record ids done. */
  readonly done: readonly string[];
  /** Those left as they were, and why (unknown, returned or deleted already — by another operator, say). */
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
}

/**
 * Returns failed messages to the queue they failed in: the same messageId and body, failures reset. Only
 * to a queue `queues` may send to: a source queue is named by the message itself, so one on a connection
 * the registry was not configured for or told to trust (QueueRegistry.checkDestination) is refused, and
 * reported with why, nothing sent — the operator's credentials never go to a host a message chose. Once
 * even if this process dies mid-way: the return is stored first ('returning'), then dispatched, then marked
 * 'returned'; returns a dead process left 'returning' (for `resumeAfterMs`) are dispatched first, and
 * reported with these. A copy dispatched twice that way (a returner that died after its dispatch, or took
 * longer than `resumeAfterMs`) carries one messageId, which an endpoint with idempotence handles once.
 */
export async function returnFailedMessages(store: FailedMessageStore, queues: QueueRegistry, ids: readonly string[], options: ReturnOptions): Promise<ActionReport> {
  const clock = options.clock ?? Date.now;
  const resumed = await resumeReturns(store, queues, clock, options.resumeAfterMs);
  const done: string[] = [...resumed.done];
  const skipped: { id: string; reason: string }[] = [...resumed.skipped];
  for (const id of ids) {
    const record = await store.get(id);
    const why =
      record === null
        ? 'no such failed message'
        : record.status === 'returning'
          ? stillReturning(record, clock(), options.resumeAfterMs ?? RESUME_RETURNS_AFTER_MS)
          : record.status !== 'unresolved'
            ? `it is ${record.status}`
            : (unreturnable(record) ?? refusedDestination(queues, record));
    if (why !== null || record === null) {
      skipped.push({ id, reason: why ?? 'no such failed message' });
      continue;
    }
    if (!(await store.transition(record.id, 'returning', options.by, clock(), options.ignoreRetention))) {
      skipped.push({ id, reason: 'another operator acted on it first' });
      continue;
    }
    const stored = await store.get(record.id);
    if (stored?.status === 'returning') await dispatch(store, queues, stored, clock);
    done.push(record.id);
  }
  return { done, skipped };
}

/**
 * Dispatches the returns stored at least `resumeAfterMs` ago and not finished (their process died, most
 * likely); each is taken by one resumer. Those it cannot finish now (their queue's transport not given here,
 * the broker down) stay 'returning' for a later run, and are reported.
 */
export async function resumeReturns(
  store: FailedMessageStore,
  queues: QueueRegistry,
  clock: () => number = Date.now,
  resumeAfterMs: number = RESUME_RETURNS_AFTER_MS,
): Promise<ActionReport> {
  const done: string[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const now = clock();
  for (const record of await store.takeReturning(now - resumeAfterMs, now)) {
    try {
      await dispatch(store, queues, record, clock);
      done.push(record.id);
    } catch (error) {
      skipped.push({ id: record.id, reason: `a return a stopped process left could not be finished yet: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { done, skipped };
}

/** Deletes (archives) failed messages: kept, out of the lists, until the retention purge. */
export async function deleteFailedMessages(store: FailedMessageStore, ids: readonly string[], options: ReturnOptions): Promise<ActionReport> {
  const clock = options.clock ?? Date.now;
  const done: string[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const id of ids) {
    const record = await store.get(id);
    if (record === null) skipped.push({ id, reason: 'no such failed message' });
    else if (await store.transition(record.id, 'archived', options.by, clock())) done.push(record.id);
    else skipped.push({ id, reason: `it is ${record.status}` });
  }
  return { done, skipped };
}

/**
 * Why a message stored as 'returning' is left alone, and what happens to it: another process's return,
 * finished by that process, or — if it stopped — resumed by the next return once `resumeAfterMs` old.
 */
function stillReturning(record: FailedMessageDetail, now: number, resumeAfterMs: number): string {
  const age = Math.max(0, now - (record.statusAt ?? now));
  const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;
  return (
    `it is returning: stored ${seconds(age)} ago by ${record.statusBy ?? 'another operator'} and not yet sent; if that process stopped, ` +
    `it is resumed by the next return once it is ${seconds(resumeAfterMs)} old (in ${seconds(Math.max(0, resumeAfterMs - age))}); ` +
    'to resume it now, return with --resume-after 0s (only when no other return is running: it may be sending it)'
  );
}

/** Why a failed message cannot be returned (null: it can). */
function unreturnable(record: FailedMessageDetail): string | null {
  if (record.envelope === null) return 'its bytes are not an envelope: it can only be deleted';
  if (record.sourceQueue === '') return 'its source queue is unknown: it can only be deleted';
  return null;
}

/**
 * Why the record's source queue is not one to send to here (null: it is), for the report: a connection not
 * named here, or a queue no transport here serves (its queue object made now, so a return is refused
 * before it is stored, never left half-done).
 */
function refusedDestination(queues: QueueRegistry, record: FailedMessageDetail): string | null {
  const queue = maskSecrets(record.sourceQueue);
  try {
    queues.checkDestination(record.sourceQueue);
    queues.sender(record.sourceQueue);
    return null;
  } catch (error) {
    if (OncebusError.is(error) && error.code === 'ONCEBUS_UNTRUSTED_DESTINATION') {
      return `refused: its source queue ${queue} is not on a transport given here (returns go only to the transports named with --transport)`;
    }
    return `refused: no transport given here can send to its source queue ${queue} (${maskSecrets(error instanceof Error ? error.message : String(error))})`;
  }
}

async function dispatch(store: FailedMessageStore, queues: QueueRegistry, record: FailedMessageDetail, clock: () => number): Promise<void> {
  if (record.envelope === null) return; // never stored as 'returning' (see unreturnable)
  // Checked again: a return resumed here was stored by another process, with other transports.
  const refused = refusedDestination(queues, record);
  if (refused !== null) throw new ConfigurationError('--transport', refused);
  const queue = queues.sender(record.sourceQueue);
  const copy = cloneTransportMessage(record.envelope);
  if (!record.ignoreRetention) delete copy.headers[IGNORE_RETENTION_HEADER];
  // Bytes an endpoint could not read go back as they came (a codec key added since may read them now).
  if (record.messageType === UNREADABLE_MESSAGE_TYPE) {
    await queue.enqueue(copy, copy.message);
    await store.markReturned(record.id, clock());
    return;
  }
  copy.failureMessages = [];
  copy.ignoreTillDate = 0;
  delete copy.headers[EXCEPTION_TYPE_HEADER];
  delete copy.headers[EXCEPTION_STACK_HEADER];
  delete copy.headers[SOURCE_QUEUE_HEADER];
  if (record.ignoreRetention) copy.headers[IGNORE_RETENTION_HEADER] = 'true';
  await queue.enqueue(copy, serializeTransportMessage(copy));
  await store.markReturned(record.id, clock());
}
