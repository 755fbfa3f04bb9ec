import type { SqlStore, SqlSubscriptionService } from '../../stores/sql/operations.js';
import type { IQueueFactory } from '../../transport/queue.js';
import type { FailedMessageStore } from '../errors/failed-message-store.js';

/** What the operations tools are given besides a URL. */
export interface OpenOptions {
  /** The PostgreSQL schema (an endpoints' store: default 'oncebus'; an operations store: 'oncebus_ops'). */
  readonly schema?: string;
  /** The setting the schema came from, for errors (default '--schema'). */
  readonly schemaSetting?: string;
  /** Where secrets that cannot be in a URL come from (Azure connection strings); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The SQLite store's table prefix (default 'oncebus_'). */
  readonly tablePrefix?: string;
}

/** How `oncebus migrate` opens a store. */
export interface MigrationOpenOptions extends OpenOptions {
  /** Only SQL is printed: create nothing (no SQLite file where none is). */
  readonly printOnly?: boolean;
}

/** An endpoints' SQL store, opened read-only, with its queues. */
export interface OpenedStore {
  readonly store: SqlStore;
  /** Its queues (sqlite:// or postgres:// URIs of this database). */
  readonly queues: IQueueFactory;
  /** Its subscription rows (a removal is announced to the endpoints, as a subscription is). */
  readonly subscriptions: SqlSubscriptionService;
  /** Where it is, without credentials (for output). */
  readonly where: string;
  close(): Promise<void>;
}

/** An operations store (failed messages), created when missing. */
export interface OpenedOperationsStore {
  readonly store: FailedMessageStore;
  readonly where: string;
  close(): Promise<void>;
}

/** The queue factories of the transports an operator named. */
export interface OpenedTransports {
  readonly factories: readonly IQueueFactory[];
  /**
   * A queue URI on each connection the operator named (for QueueRegistry.trust): a destination a message
   * names elsewhere is refused. None for transports whose connections are all configured on the factory.
   */
  readonly trusted: readonly string[];
  /** Where they are, without credentials (for output). */
  readonly where: readonly string[];
  close(): Promise<void>;
}

/**
 * How the operations tools open what one kind of URL names. Each kind offers what it can: an endpoints'
 * store, an operations store, a transport (several URLs of one kind may make one transport: two brokers).
 * Drivers are imported only when a URL of their kind is opened, so `oncebus` runs without the others.
 */
export interface SchemeOpener {
  /** The URL schemes it serves (`sqlite` also serves a bare path ending in .db, .sqlite or .sqlite3). */
  readonly schemes: readonly string[];
  /** The form of its URLs, for help and hints. */
  readonly form: string;
  store?(url: string, options: OpenOptions): Promise<OpenedStore>;
  /**
   * An endpoints' SQL store to migrate (`oncebus migrate`): nothing checked first, since migrating creates the
   * schema (PostgreSQL, SQL Server) or the file (SQLite).
   */
  migrationStore?(url: string, options: MigrationOpenOptions): Promise<OpenedStore>;
  operationsStore?(url: string, options: OpenOptions): Promise<OpenedOperationsStore>;
  transport?(urls: readonly string[], options: OpenOptions): Promise<OpenedTransports>;
  /** The transport URL a queue URI of this kind is reached through on its own (a broker), if any. */
  transportOf?(queueUri: string): string | null;
}
