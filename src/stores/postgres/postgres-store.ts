import type { ILogger } from '../../logging/logger.js';
import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { sqlIdentifier } from '../sql/sql-identifiers.js';
import { type SqlIdempotenceOptions, SqlIdempotenceStore } from '../sql/sql-idempotence-store.js';
import { sqlQueueTable } from '../sql/sql-queue-uri.js';
import { SqlStore } from '../sql/sql-store.js';
import { SqlSubscriptionService } from '../sql/sql-subscription-service.js';
import { type PostgresConnectionOptions, PostgresDatabase } from './postgres-database.js';
import { ConfigurationError } from '../../errors/errors.js';
import { intParam, parseQueueUri } from '../../transport/queue-uri.js';
import { BatchTakingQueue } from '../sql/batch-taking-queue.js';
import { RowLockingQueue } from '../sql/row-locking-queue.js';
import { PostgresNotifier, queueChannel, SUBSCRIPTIONS_CHANGED } from './postgres-notifier.js';
import {
  postgresCreateVersionTable,
  postgresGrants,
  postgresGroupCommit,
  postgresIdempotence,
  postgresMigrations,
  postgresQueue,
  postgresPurgeExpiredHttpKeys,
  postgresRecordTables,
  postgresSubscriptions,
  postgresVersionTable,
  postgresVersionTableExists,
} from './postgres-statements.js';

/** The most rows one take may lock (a batch holds them until its last one is settled). */
const MAX_BATCH = 1000;

/** Two processes creating one table at once: the loser sees a duplicate; the table exists either way. */
function isDuplicateObject(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code === '23505' || code === '42P07' || code === '42710';
}

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** Schema for every oncebus table (default 'oncebus'), created when missing. */
  readonly schema?: string;
  /** The store's name in queue URIs: postgres://<name>/<queue> (default 'default'). */
  readonly name?: string;
  /** The URI scheme its queues answer to (default 'postgres'); give a second store of one kind its own. */
  readonly scheme?: string;
  /**
   * Whether the store creates and migrates its schema and queue tables itself (default true; needs DDL
   * rights). false: it never issues DDL, checks the schema at start and fails with SchemaNotMigratedError
   * when it is behind; run `npx oncebus migrate` as a user that may change the schema (docs/sql-stores.md).
   */
  readonly migrate?: boolean;
}

/**
 * oncebus on PostgreSQL: one pool, one schema, and from it the idempotence store, the subscriptions and
 * the queue factory (postgres://<name>/<queue>). Queues in this database join a handler's unit of work,
 * so an idempotent handler's sends to them are part of its one local transaction.
 */
export class PostgresStore {
  readonly database: PostgresDatabase;
  readonly store: SqlStore;
  readonly subscriptions: SqlSubscriptionService;
  readonly queues: IQueueFactory;
  readonly name: string;
  readonly schema: string;
  private readonly notifier: PostgresNotifier;

  constructor(options: PostgresStoreOptions) {
    const s = sqlIdentifier(options.schema ?? 'oncebus', 'schema');
    this.schema = s;
    this.name = options.name ?? 'default';
    const scheme = options.scheme ?? 'postgres';
    this.database = new PostgresDatabase(options);
    const channel = queueChannel(s);
    const notifier = new PostgresNotifier(options.connectionString, channel);
    this.notifier = notifier;
    this.store = new SqlStore({
      database: this.database,
      idempotence: postgresIdempotence(s),
      groupCommit: postgresGroupCommit(s),
      subscriptions: postgresSubscriptions(s),
      queue: (table) => postgresQueue(s, table, channel),
      versionTable: postgresVersionTable(s),
      createVersionTable: postgresCreateVersionTable(s),
      versionTableExists: postgresVersionTableExists(s),
      migrations: postgresMigrations(s),
      recordTables: postgresRecordTables(s),
      purgeExpiredHttpKeys: postgresPurgeExpiredHttpKeys(s),
      location: `PostgreSQL ${this.database.name} (schema ${s})`,
      migrateCommand: `npx oncebus migrate --store ${this.database.name} --schema ${s}`,
      grants: (role) => postgresGrants(s, role),
    }, { migrate: options.migrate });
    // A new subscription is announced on the store's channel; publishers drop their cached lists on it.
    this.subscriptions = new SqlSubscriptionService(this.store, {
      generation: () => notifier.subscriptionsGeneration(),
      announce: async () => {
        await this.database.execute('SELECT pg_notify($1, $2)', [channel, SUBSCRIPTIONS_CHANGED]);
      },
    });
    const db = this.database;
    const store = this.store;
    const name = this.name;
    this.queues = {
      scheme,
      create(uri: string): IQueue {
        const { table, queue } = sqlQueueTable(uri, scheme, name);
        // ?batch=N: a receiver takes up to N rows per statement and transaction (see BatchTakingQueue).
        const batch = intParam(parseQueueUri(uri), 'batch', 1, 'queue uri');
        if (batch > MAX_BATCH) throw new ConfigurationError('queue uri', `'${uri}': batch=${batch} is more than ${MAX_BATCH}`, { hint: `give ?batch=1…${MAX_BATCH}` });
        const statements = postgresQueue(s, table, channel);
        const wakeUps = { wait: (ms: number) => notifier.wait(table, ms) };
        const checkTable = store.migrates ? undefined : () => store.requireQueueTable(statements, uri);
        if (batch > 1) return new BatchTakingQueue(uri, queue, db, statements, batch, () => store.ready(), isDuplicateObject, wakeUps, checkTable);
        return new RowLockingQueue(uri, queue, db, statements, () => store.ready(), isDuplicateObject, wakeUps, checkTable);
      },
    };
  }

  /** The idempotence store (bind as TYPES.IdempotenceServiceFactory); retention defaults to 7 days. */
  idempotence(options?: SqlIdempotenceOptions, logger?: ILogger): SqlIdempotenceStore {
    return new SqlIdempotenceStore(this.store, options, logger);
  }

  async close(): Promise<void> {
    await this.notifier.close();
    await this.store.close();
  }
}
