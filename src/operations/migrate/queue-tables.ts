import type { EndpointSettings } from '../../config/endpoint-schema.js';
import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { type QueueStatements, type SqlStore, sqlQueueTable } from '../../stores/sql/operations.js';
import type { IQueueFactory } from '../../transport/queue.js';
import { queueScheme } from '../../transport/queue-uri.js';
import { queuesOf } from '../queue-depths.js';

/** A queue of the store being migrated, and its table's statements. */
export interface QueueTable {
  readonly uri: string;
  /** The queue's name as its URI writes it. */
  readonly queue: string;
  readonly statements: QueueStatements;
}

/** Every queue an endpoint's settings name: its inbox's and outbox's queues, and its routes' destinations. */
export function queuesOfSettings(settings: EndpointSettings): string[] {
  return [...queuesOf(settings), ...(settings.routes ?? []).map((route) => route.uri)];
}

/**
 * Of `uris`, the queues in this store (its queue factory's scheme, the store named `storeName`), one per
 * table; the others (a broker's queues) in `others`. A queue URI of this scheme naming another store or no
 * valid table is a ConfigurationError.
 */
export function queueTablesOf(store: SqlStore, queues: IQueueFactory, uris: readonly string[], storeName = 'default'): { tables: QueueTable[]; others: string[] } {
  const tables = new Map<string, QueueTable>();
  const others: string[] = [];
  for (const uri of uris) {
    if (queueScheme(uri) !== queues.scheme) {
      others.push(uri);
      continue;
    }
    const { table, queue } = sqlQueueTable(uri, queues.scheme, storeName);
    const seen = tables.get(table);
    if (!seen) tables.set(table, { uri, queue, statements: store.dialect.queue(table) });
    else if (seen.queue !== queue) {
      // As the stores refuse at run time (queue_names): two names, one table, would share its messages.
      throw new ConfigurationError('queue uri', `'${maskSecrets(uri)}': queue '${queue}' would share its table with queue '${seen.queue}'`, {
        hint: "queue names that differ only in '-', '.', '_' or letter case map to one table: rename one of them",
      });
    }
  }
  return { tables: [...tables.values()], others };
}
