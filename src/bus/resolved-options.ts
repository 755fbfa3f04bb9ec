import { parseDuration, parseDurations } from '../config/duration.js';
import { ConfigurationError } from '../errors/errors.js';
import type { EndpointOptions } from './endpoint-options.js';

export interface ResolvedQueueProcessing {
  readonly workQueueUri: string;
  readonly errorQueueUri: string;
  readonly threadCount: number;
  readonly maximumFailureCount: number;
  readonly durationToIgnoreOnFailure: readonly number[];
  readonly durationToSleepWhenIdle: readonly number[];
}

export interface ResolvedEndpointOptions {
  readonly name: string;
  readonly inbox: ResolvedQueueProcessing & { readonly deferredQueueUri: string | undefined };
  readonly outbox: ResolvedQueueProcessing | undefined;
  readonly idempotence: boolean;
  readonly compression: string;
  readonly encryption: string;
  readonly stopTimeoutMs: number;
  readonly handlerTimeoutMs: number;
  readonly createQueues: boolean;
}

const DEFAULT_RETRY = ['1s', '5s', '30s', '2m'];
const DEFAULT_IDLE = ['50ms', '100ms', '250ms', '500ms', '1s'];

/** Checks and normalizes options; every error names the setting. Called by start(). */
export function resolveEndpointOptions(o: EndpointOptions): ResolvedEndpointOptions {
  if (!o || typeof o !== 'object') throw new ConfigurationError('options', 'endpoint options are missing');
  if (!o.inbox || typeof o.inbox !== 'object') throw new ConfigurationError('inbox', 'is required');
  const inbox = processing(o.inbox, 'inbox');
  const deferred = o.inbox.deferredQueueUri;
  if (deferred !== undefined) uri(deferred, 'inbox.deferredQueueUri');
  const outbox = o.outbox ? processing(o.outbox, 'outbox') : undefined;
  return {
    name: o.name ?? inbox.workQueueUri,
    inbox: { ...inbox, deferredQueueUri: deferred },
    outbox,
    idempotence: typeof o.idempotence === 'object' ? o.idempotence.enabled === true : o.idempotence === true,
    compression: o.compression ?? '',
    encryption: o.encryption ?? '',
    stopTimeoutMs: parseDuration(o.stopTimeout ?? '30s', 'stopTimeout'),
    handlerTimeoutMs: positiveDuration(o.handlerTimeout ?? '60s', 'handlerTimeout'),
    createQueues: o.createQueues ?? true,
  };
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
  const workQueueUri = uri(p.workQueueUri, `${at}.workQueueUri`);
  if (p.errorQueueUri === undefined || p.errorQueueUri === '') {
    throw new ConfigurationError(`${at}.errorQueueUri`, 'is required: failed messages must have somewhere to go');
  }
  const errorQueueUri = uri(p.errorQueueUri, `${at}.errorQueueUri`);
  if (errorQueueUri === workQueueUri) throw new ConfigurationError(`${at}.errorQueueUri`, 'must differ from the work queue');
  const threadCount = positiveInt(p.threadCount ?? 4, `${at}.threadCount`);
  const maximumFailureCount = positiveInt(p.maximumFailureCount ?? 5, `${at}.maximumFailureCount`);
  const retry = parseDurations(p.durationToIgnoreOnFailure ?? DEFAULT_RETRY, `${at}.durationToIgnoreOnFailure`);
  const idle = parseDurations(p.durationToSleepWhenIdle ?? DEFAULT_IDLE, `${at}.durationToSleepWhenIdle`);
  if (idle.length === 0) throw new ConfigurationError(`${at}.durationToSleepWhenIdle`, 'needs at least one duration');
  return { workQueueUri, errorQueueUri, threadCount, maximumFailureCount, durationToIgnoreOnFailure: retry, durationToSleepWhenIdle: idle };
}

function uri(value: unknown, setting: string): string {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/./i.test(value)) {
    throw new ConfigurationError(setting, `'${String(value)}' is not a queue URI (scheme://…)`);
  }
  return value;
}

function positiveDuration(value: number | string, setting: string): number {
  const ms = parseDuration(value, setting);
  if (ms <= 0) throw new ConfigurationError(setting, `must be longer than 0, got '${String(value)}'`);
  return ms;
}

function positiveInt(value: unknown, setting: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(setting, `must be a positive integer, got '${String(value)}'`);
  }
  return value;
}
