import { checkSettings } from '../config/check-settings.js';
import { parseDuration, parseDurations } from '../config/duration.js';
import { endpointOptionsSchema } from '../config/endpoint-schema.js';
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

/**
 * Checks options against the schema (endpoint-schema.ts: unknown keys and every bad value reported at once)
 * and normalizes them; what the schema cannot say (an error queue equal to its work queue) is checked here.
 * Called by start().
 */
export function resolveEndpointOptions(options: EndpointOptions): ResolvedEndpointOptions {
  if (!options || typeof options !== 'object') throw new ConfigurationError('options', 'endpoint options are missing');
  const o = checkSettings(endpointOptionsSchema, options, 'the endpoint options') as EndpointOptions;
  const inbox = processing(o.inbox, 'inbox');
  const deferred = o.inbox.deferredQueueUri;
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
