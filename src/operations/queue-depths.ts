import type { EndpointSettings } from '../config/endpoint-schema.js';
import { isCountQueue, type IQueueFactory } from '../transport/queue.js';

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

/**
 * Counts each queue through the factory of its URI's scheme. A queue whose transport cannot count (Azure
 * Service Bus: use its portal), whose scheme has no factory here, or whose count fails is reported as such,
 * and the others are still counted.
 */
export async function queueDepths(uris: readonly string[], factories: readonly IQueueFactory[]): Promise<QueueDepth[]> {
  const depths: QueueDepth[] = [];
  for (const uri of uris) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
    const factory = factories.find((f) => f.scheme === scheme);
    const queue = scheme === undefined ? null : factory?.create(uri);
    const shown = factory?.address?.(uri) ?? uri.replace(/\/\/[^@/]*@/, '//');
    if (!queue) {
      depths.push({ queue: shown, messages: null, note: `no transport for '${scheme ?? uri}' here (give --store for sqlite:// and postgres:// queues)` });
      continue;
    }
    try {
      if (!isCountQueue(queue)) depths.push({ queue: shown, messages: null, note: 'its transport cannot count' });
      else depths.push({ queue: shown, messages: await queue.count() });
    } catch (error) {
      depths.push({ queue: shown, messages: null, note: `count failed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      await queue.close().catch(() => undefined);
    }
  }
  return depths;
}
