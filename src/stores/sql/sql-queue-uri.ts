import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { decodeUriPart, parseQueueUri } from '../../transport/queue-uri.js';
import { queueTableName } from './sql-identifiers.js';

/**
 * SQL queue URIs name a store and a queue: `<scheme>://<store name>/<queue>`, e.g. postgres://main/orders.
 * The connection itself is configured once on the store (so no password sits in every queue URI); the
 * host part must be that store's name. Several queue names can map to one table name (`orders-in`,
 * `orders_in`; `Orders` and `orders` where identifiers ignore case): the store records which name owns a
 * table (queue_names) and refuses the others (SqlQueueBase).
 */
export function sqlQueueTable(uri: string, scheme: string, storeName: string): { table: string; queue: string } {
  const url = parseQueueUri(uri);
  if (url.protocol !== `${scheme}:`) throw new ConfigurationError('queue uri', `'${maskSecrets(uri)}' is not a ${scheme}:// queue`);
  if (url.hostname !== storeName.toLowerCase()) {
    throw new ConfigurationError('queue uri', `'${maskSecrets(uri)}' names store '${url.hostname}', but this ${scheme} store is '${storeName}'`);
  }
  const queue = decodeUriPart(url.pathname.replace(/^\//, ''), uri);
  if (!queue || queue.includes('/')) throw new ConfigurationError('queue uri', `'${maskSecrets(uri)}' must be ${scheme}://${storeName}/<queue>`);
  return { table: queueTableName(queue, 'queue uri'), queue };
}
