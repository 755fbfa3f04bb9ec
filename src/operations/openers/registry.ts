import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { QueueRegistry } from '../../transport/queue-registry.js';
import type { IQueueFactory } from '../../transport/queue.js';
import { azureServiceBusOpener } from './azuresb-opener.js';
import type { MigrationOpenOptions, OpenedOperationsStore, OpenedStore, OpenedTransports, OpenOptions, SchemeOpener } from './opened.js';
import { mssqlOpener } from './mssql-opener.js';
import { postgresOpener } from './postgres-opener.js';
import { rabbitMqOpener } from './rabbitmq-opener.js';
import { sqliteOpener } from './sqlite-opener.js';

/** Every kind of URL the operations tools open, by scheme: the one place a URL becomes a store or a transport. */
const OPENERS: readonly SchemeOpener[] = [sqliteOpener, postgresOpener, mssqlOpener, rabbitMqOpener, azureServiceBusOpener];
const BY_SCHEME = new Map(OPENERS.flatMap((opener) => opener.schemes.map((scheme) => [scheme, opener] as const)));

type Capability = 'store' | 'operationsStore' | 'transport' | 'migrationStore';

/** `sqlite` for `sqlite:<file>` and a bare `*.db` path, else the URL's scheme (lower case); null when none. */
function schemeOf(url: string): string | null {
  if (/\.(db|sqlite3?)$/i.test(url) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return 'sqlite';
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? null;
}

/** The opener of `url`'s kind that can open it as `capability`; a ConfigurationError listing the kinds that can. */
function openerFor(url: string, capability: Capability, setting: string): SchemeOpener {
  const opener = BY_SCHEME.get(schemeOf(url) ?? '');
  if (opener?.[capability]) return opener;
  const forms = OPENERS.filter((o) => o[capability] !== undefined).map((o) => o.form);
  throw new ConfigurationError(setting, `'${maskSecrets(url)}' is not a URL the operations tools open here`, { hint: `give ${forms.join(', or ')}` });
}

/** An endpoints' SQL store, read-only (never a file or a schema created where an operator mistyped one). */
export async function openStore(url: string, options: OpenOptions = {}): Promise<OpenedStore> {
  return openerFor(url, 'store', '--store').store!(url, options);
}

/** An endpoints' SQL store to migrate (`oncebus migrate`): see SchemeOpener.migrationStore. */
export async function openMigrationStore(url: string, options: MigrationOpenOptions = {}): Promise<OpenedStore> {
  return openerFor(url, 'migrationStore', '--store').migrationStore!(url, options);
}

/** An operations store (failed messages): a SQLite file, created when missing, or PostgreSQL, schema `oncebus_ops`. */
export async function openOperationsStore(url: string, options: OpenOptions = {}): Promise<OpenedOperationsStore> {
  return openerFor(url, 'operationsStore', '--store').operationsStore!(url, options);
}

/** The transports an operator named, and the queues on them: see openTransports. */
export interface Transports {
  /**
   * Their queues: each URI through the factory of its scheme; a destination a message names (a return's
   * source queue) only on a connection named here (QueueRegistry.checkDestination).
   */
  readonly queues: QueueRegistry;
  readonly factories: readonly IQueueFactory[];
  readonly where: readonly string[];
  /** Closes the queues, then the transports. */
  close(): Promise<void>;
}

/**
 * Opens the transports named (`--transport`): SQL stores' queues, RabbitMQ brokers (each with its own user),
 * Azure Service Bus connections; URLs of one kind make one transport. Every RabbitMQ broker named is trusted,
 * no other: its credentials never reach a host a message names.
 */
export async function openTransports(urls: readonly string[], options: OpenOptions = {}): Promise<Transports> {
  const byOpener = new Map<SchemeOpener, string[]>();
  for (const url of urls) {
    const opener = openerFor(url, 'transport', '--transport');
    byOpener.set(opener, [...(byOpener.get(opener) ?? []), url]);
  }
  const opened: OpenedTransports[] = [];
  try {
    for (const [opener, mine] of byOpener) opened.push(await opener.transport!(mine, { ...options, schemaSetting: options.schemaSetting ?? '--transport-schema' }));
    const factories = opened.flatMap((t) => t.factories);
    const queues = new QueueRegistry(factories);
    for (const uri of opened.flatMap((t) => t.trusted)) queues.trust(uri, '--transport');
    return {
      queues,
      factories,
      where: opened.flatMap((t) => t.where),
      async close() {
        await queues.close();
        await closeAll(opened);
      },
    };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

async function closeAll(opened: readonly OpenedTransports[]): Promise<void> {
  await Promise.allSettled(opened.map((t) => t.close()));
}

/**
 * The transport URL a queue URI is reached through on its own (a RabbitMQ broker, with the user the URI
 * names; an Azure connection), or null (a SQL queue needs its store).
 */
export function transportOf(queueUri: string): string | null {
  const opener = BY_SCHEME.get(schemeOf(queueUri) ?? '');
  return opener?.transportOf?.(queueUri) ?? null;
}

/**
 * The transports queue URIs are reached through on their own (see transportOf), opened together; a kind
 * that cannot be opened (an Azure connection string not set) is left out, and its queues are in
 * `unavailable` with why. For `oncebus queues`, which counts what it can.
 */
export async function openTransportsOf(queueUris: readonly string[], options: OpenOptions = {}): Promise<{ transports: Transports; unavailable: ReadonlyMap<string, string> }> {
  const byOpener = new Map<SchemeOpener, { urls: Set<string>; queues: string[] }>();
  for (const uri of queueUris) {
    const opener = BY_SCHEME.get(schemeOf(uri) ?? '');
    const url = opener?.transportOf?.(uri);
    if (!opener || !url) continue;
    const group = byOpener.get(opener) ?? { urls: new Set<string>(), queues: [] };
    group.urls.add(url);
    group.queues.push(uri);
    byOpener.set(opener, group);
  }
  const opened: OpenedTransports[] = [];
  const unavailable = new Map<string, string>();
  for (const [opener, group] of byOpener) {
    try {
      opened.push(await opener.transport!([...group.urls], options));
    } catch (error) {
      const why = maskSecrets(error instanceof Error ? error.message : String(error));
      for (const uri of group.queues) unavailable.set(uri, why);
    }
  }
  const factories = opened.flatMap((t) => t.factories);
  const queues = new QueueRegistry(factories);
  const transports: Transports = {
    queues,
    factories,
    where: opened.flatMap((t) => t.where),
    async close() {
      await queues.close();
      await closeAll(opened);
    },
  };
  return { transports, unavailable };
}
