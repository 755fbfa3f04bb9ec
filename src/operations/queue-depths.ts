import type { EndpointSettings } from '../config/endpoint-schema.js';
import { maskSecrets } from '../secrets/mask-secrets.js';
import { isCountQueue, type IQueueFactory } from '../transport/queue.js';
import { canonicalQueueAddress } from '../transport/queue-uri.js';

/** One queue's depth, or why it could not be counted. */
export interface QueueDepth {
  readonly queue: string;
  /** Messages waiting (taken-but-unsettled ones may not be counted); null when it could not be counted. */
  readonly messages: number | null;
  readonly note?: string;
}

/** The queues an endpoint's settings name: its inbox's work, deferred and error queues, its outbox's. */
export function queuesOf(settings: EndpointSettings): string[] {
  const uris = [settings.inbox?.workQueueUri, settings.inbox?.deferredQueueUri, settings.inbox?.errorQueueUri, settings.outbox?.workQueueUri, settings.outbox?.errorQueueUri];
  return uris.filter((u): u is string => typeof u === 'string' && u.length > 0);
}

/** A queue as shown: its address (no credentials), or the URI masked when it is not one. */
function shownQueue(uri: string, factory: IQueueFactory | undefined): string {
  try {
    return factory?.address?.(uri) ?? canonicalQueueAddress(uri);
  } catch {
    return maskSecrets(uri);
  }
}

/**
 * Counts each queue through the factory of its URI's scheme. A queue whose transport cannot count (Azure
 * Service Bus: use its portal), whose scheme has no factory here (`unavailable` may say why, by queue URI),
 * or whose count fails is reported as such, and the others are still counted.
 */
export async function queueDepths(uris: readonly string[], factories: readonly IQueueFactory[], unavailable: ReadonlyMap<string, string> = new Map()): Promise<QueueDepth[]> {
  const depths: QueueDepth[] = [];
  for (const uri of uris) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
    const factory = factories.find((f) => f.scheme === scheme);
    const shown = shownQueue(uri, factory);
    if (!factory || scheme === undefined) {
      const why = unavailable.get(uri) ?? 'give --store for sqlite:// and postgres:// queues';
      depths.push({ queue: shown, messages: null, note: `no transport for '${scheme ?? maskSecrets(uri)}' here (${why})` });
      continue;
    }
    let queue: ReturnType<IQueueFactory['create']>;
    try {
      queue = factory.create(uri);
    } catch (error) {
      depths.push({ queue: shown, messages: null, note: `count failed: ${maskSecrets(error instanceof Error ? error.message : String(error))}` });
      continue;
    }
    try {
      if (!isCountQueue(queue)) depths.push({ queue: shown, messages: null, note: 'its transport cannot count' });
      else depths.push({ queue: shown, messages: await queue.count() });
    } catch (error) {
      depths.push({ queue: shown, messages: null, note: `count failed: ${maskSecrets(error instanceof Error ? error.message : String(error))}` });
    } finally {
      await queue.close().catch(() => undefined);
    }
  }
  return depths;
}
