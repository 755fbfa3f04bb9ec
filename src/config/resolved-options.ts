import { checkSettings } from './check-settings.js';
import { parseDuration, parseDurations } from './duration.js';
import { endpointOptionsSchema } from './endpoint-schema.js';
import { ConfigurationError } from '../errors/errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../envelope/message-limits.js';
import type { EndpointOptions } from './endpoint-options.js';
import { type ResolvedSchedule, resolveSchedules } from './resolve-schedules.js';

export interface ResolvedQueueProcessing {
  readonly workQueueUri: string;
  readonly errorQueueUri: string;
  readonly threadCount: number;
  readonly maximumFailureCount: number;
  readonly durationToIgnoreOnFailure: readonly number[];
  readonly durationToSleepWhenIdle: readonly number[];
}

export type ResolvedInbox = ResolvedQueueProcessing & { readonly deferredQueueUri: string | undefined };

export interface ResolvedEndpointOptions {
  readonly name: string;
  /** Undefined for a send-only endpoint. */
  readonly inbox: ResolvedInbox | undefined;
  readonly outbox: ResolvedQueueProcessing | undefined;
  readonly idempotence: boolean;
  readonly compression: string;
  readonly encryption: string;
  readonly stopTimeoutMs: number;
  readonly handlerTimeoutMs: number;
  readonly sessionSweepIntervalMs: number;
  readonly createQueues: boolean;
  /** Bytes: the largest envelope read, and the most a body may decompress to. */
  readonly maxMessageSize: number;
  /** Messages sent on a cron schedule (empty without any). */
  readonly schedules: readonly ResolvedSchedule[];
}

const DEFAULT_RETRY = ['1s', '5s', '30s', '2m'];
const DEFAULT_IDLE = ['50ms', '100ms', '250ms', '500ms', '1s'];

/**
 * Checks options against the schema (endpoint-schema.ts: unknown keys and every bad value reported at once)
 * and normalizes them; what the schema cannot say (an error queue equal to its work queue) is checked here.
 * Called by start().
 */
export function resolveEndpointOptions(options: EndpointOptions): ResolvedEndpointOptions {
  if (!options || typeof options !== 'object') throw new ConfigurationError('options', 'endpoint options are missing');
  const o = checkSettings(endpointOptionsSchema, options, 'the endpoint options') as EndpointOptions;
  const inbox = o.inbox ? { ...processing(o.inbox, 'inbox'), deferredQueueUri: o.inbox.deferredQueueUri } : undefined;
  const outbox = o.outbox ? processing(o.outbox, 'outbox') : undefined;
  const idempotence = typeof o.idempotence === 'object' ? o.idempotence.enabled === true : o.idempotence === true;
  if (!inbox) sendOnly(o, idempotence);
  return {
    name: o.name ?? inbox?.workQueueUri ?? 'send-only',
    inbox,
    outbox,
    idempotence,
    compression: o.compression ?? '',
    encryption: o.encryption ?? '',
    stopTimeoutMs: parseDuration(o.stopTimeout ?? '30s', 'stopTimeout'),
    handlerTimeoutMs: positiveDuration(o.handlerTimeout ?? '60s', 'handlerTimeout'),
    sessionSweepIntervalMs: parseDuration(o.sessionSweepInterval ?? '5s', 'sessionSweepInterval'),
    createQueues: o.createQueues ?? true,
    maxMessageSize: o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    schedules: resolveSchedules(o.schedules ?? [], idempotence),
  };
}

/** A send-only endpoint receives nothing: whatever would need an inbox is a mistake to name. */
function sendOnly(o: EndpointOptions, idempotence: boolean): void {
  const needs = [
    o.handlers?.length ? 'handlers' : '',
    o.subscriptions?.length ? 'subscriptions' : '',
    idempotence ? 'idempotence' : '',
    o.schedules?.length ? 'schedules' : '',
  ].filter(Boolean);
  if (needs.length > 0) {
    throw new ConfigurationError('inbox', `is required: ${needs.join(', ')} need an inbox to receive on`, {
      hint: 'give the endpoint an inbox (workQueueUri, errorQueueUri), or leave those out for a send-only endpoint',
    });
  }
}

function processing(
  p: {
    workQueueUri: string;
    errorQueueUri: string;
    threadCount?: number;
    maximumFailureCount?: number;
    durationToIgnoreOnFailure?: (number | string)[];
    durationToSleepWhenIdle?: (number | string)[];
  },
  at: string,
): ResolvedQueueProcessing {
  const { workQueueUri, errorQueueUri } = p;
  if (errorQueueUri === workQueueUri) throw new ConfigurationError(`${at}.errorQueueUri`, 'must differ from the work queue');
  const threadCount = p.threadCount ?? 4;
  const maximumFailureCount = p.maximumFailureCount ?? 5;
  const retry = parseDurations(p.durationToIgnoreOnFailure ?? DEFAULT_RETRY, `${at}.durationToIgnoreOnFailure`);
  const idle = parseDurations(p.durationToSleepWhenIdle ?? DEFAULT_IDLE, `${at}.durationToSleepWhenIdle`);
  return { workQueueUri, errorQueueUri, threadCount, maximumFailureCount, durationToIgnoreOnFailure: retry, durationToSleepWhenIdle: idle };
}

function positiveDuration(value: number | string, setting: string): number {
  const ms = parseDuration(value, setting);
  if (ms <= 0) throw new ConfigurationError(setting, `must be longer than 0, got '${String(value)}'`);
  return ms;
}
