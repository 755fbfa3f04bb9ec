import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { decodeUriPart, intParam, parseQueueUri } from '../../transport/queue-uri.js';

/** An azuresb:// URI, parsed. */
export interface AzureServiceBusAddress {
  /** The connection's name in the factory's configuration (the string itself is never in a URI). */
  readonly connection: string;
  /** Where sends go: a queue or a topic. */
  readonly sendTo: string;
  /** Where receives come from: the queue, or the topic's subscription. */
  readonly receiveFrom: { readonly entity: string; readonly subscription?: string; readonly deadLetter: boolean };
  /** Messages fetched per receive call (default 1). */
  readonly prefetch: number;
}

/**
 * `azuresb://<connection>/<queue>`, `azuresb://<connection>/<topic>/subscriptions/<subscription>`
 * (send to the topic, receive from the subscription); append `/$deadletterqueue` to read a dead-letter
 * sub-queue. `?prefetch=N` per receive loop.
 */
export function parseAzureServiceBusUri(uri: string, setting = 'queue uri'): AzureServiceBusAddress {
  const url = parseQueueUri(uri, setting);
  if (url.protocol !== 'azuresb:') throw new ConfigurationError(setting, `'${maskSecrets(uri)}' is not an azuresb:// URI`);
  const parts = url.pathname.split('/').filter(Boolean).map((part) => decodeUriPart(part, uri, setting));
  const deadLetter = parts[parts.length - 1]?.toLowerCase() === '$deadletterqueue';
  if (deadLetter) parts.pop();
  const prefetch = Math.max(1, intParam(url, 'prefetch', 1, setting));
  if (parts.length === 1) return { connection: url.hostname, sendTo: parts[0]!, receiveFrom: { entity: parts[0]!, deadLetter }, prefetch };
  if (parts.length === 3 && parts[1]!.toLowerCase() === 'subscriptions') {
    return { connection: url.hostname, sendTo: parts[0]!, receiveFrom: { entity: parts[0]!, subscription: parts[2]!, deadLetter }, prefetch };
  }
  throw new ConfigurationError(setting, `'${maskSecrets(uri)}' must be azuresb://<connection>/<queue> or azuresb://<connection>/<topic>/subscriptions/<subscription>`);
}
