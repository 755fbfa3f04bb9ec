import type { ILogger } from '../../logging/logger.js';
import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { intParam, parseQueueUri } from '../../transport/queue-uri.js';
import { sqlIdentifier } from '../sql/sql-identifiers.js';
import { type SqlIdempotenceOptions, SqlIdempotenceStore } from '../sql/sql-idempotence-store.js';
import { sqlQueueTable } from '../sql/sql-queue-uri.js';
import { SqlStore } from '../sql/sql-store.js';
import { SqlSubscriptionService } from '../sql/sql-subscription-service.js';
import { SqliteDatabase, type SqliteOptions } from './sqlite-database.js';
import { SqliteBatchQueue } from './sqlite-batch-queue.js';
import { SqliteQueue } from './sqlite-queue.js';
import { sqliteGroupCommit } from './sqlite-group-commit.js';
import { ConfigurationError } from '../../errors/errors.js';
import {
  sqliteCreateVersionTable,
  sqliteIdempotence,
  sqliteMigrations,
  sqliteQueue,
  sqlitePurgeExpiredHttpKeys,
  sqliteRecordTables,
  sqliteSubscriptions,
  sqliteVersionTable,
  sqliteVersionTableExists,
} from './sqlite-statements.js';

export interface SqliteStoreOptions extends SqliteOptions {
  /** Prefix of every oncebus table (default 'oncebus_'). */
  readonly tablePrefix?: string;
  /** The store's name in queue URIs: sqlite://<name>/<queue> (default 'default'). */
  readonly name?: string;
  /** The URI scheme its queues answer to (default 'sqlite'); give a second store of one kind its own. */
  readonly scheme?: string;
  /** How long a taken queue message is held before another consumer may take it (ms, default 30 s). */
  readonly leaseMs?: number;
  /**
   * Whether the store creates and migrates its tables itself (default true). false: it never issues DDL,
   * checks the schema at start and fails with SchemaNotMigratedError when it is behind; run
   * `npx oncebus migrate --store sqlite:<file>` first (docs/sql-stores.md).
   */
  readonly migrate?: boolean;
}

/** Wakes getMessage waiters in this process when a message is enqueued or released. */
/** The most rows one take may lease (a batch holds them until its last one is settled). */
const MAX_BATCH = 1000;

class EnqueueSignal {
  private waiters: (() => void)[] = [];
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.waiters = self.waiters.filter((w) => w !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }
  notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/**
 * oncebus on one SQLite file, the embedded default: idempotence, subscriptions and queues
 * (sqlite://<name>/<queue>, `?lease=<ms>` per queue) in one database, so an idempotent handler's sends
 * to its queues commit in the same local transaction as its work.
 */
export class SqliteStore {
  readonly database: SqliteDatabase;
  readonly store: SqlStore;
  readonly subscriptions: SqlSubscriptionService;
  readonly queues: IQueueFactory;
  readonly name: string;

  constructor(options: SqliteStoreOptions) {
    const p = sqlIdentifier(options.tablePrefix ?? 'oncebus_', 'tablePrefix');
    this.name = options.name ?? 'default';
    const scheme = options.scheme ?? 'sqlite';
    this.database = new SqliteDatabase(options);
    this.store = new SqlStore({
      database: this.database,
      idempotence: sqliteIdempotence(p),
      groupCommit: sqliteGroupCommit(p),
      subscriptions: sqliteSubscriptions(p),
      queue: (table) => sqliteQueue(p, table),
      versionTable: sqliteVersionTable(p),
      createVersionTable: sqliteCreateVersionTable(p),
      versionTableExists: sqliteVersionTableExists(p),
      migrations: sqliteMigrations(p),
      recordTables: sqliteRecordTables(p),
      purgeExpiredHttpKeys: sqlitePurgeExpiredHttpKeys(p),
      location: `SQLite ${options.file}${p === 'oncebus_' ? '' : ` (table prefix ${p})`}`,
      migrateCommand: `npx oncebus migrate --store sqlite:${options.file}${p === 'oncebus_' ? '' : ` --table-prefix ${p}`}`,
    }, { migrate: options.migrate });
    this.subscriptions = new SqlSubscriptionService(this.store);
    const { database: db, store, name } = this;
    const signals = new Map<string, EnqueueSignal>();
    const defaultLease = options.leaseMs ?? 30_000;
    this.queues = {
      scheme,
      create(uri: string): IQueue {
        const { table, queue } = sqlQueueTable(uri, scheme, name);
        const lease = intParam(parseQueueUri(uri), 'lease', defaultLease, 'queue uri');
        let signal = signals.get(table);
        if (!signal) signals.set(table, (signal = new EnqueueSignal()));
        // ?batch=N: a receiver leases up to N rows per statement (see SqliteBatchQueue).
        const batch = intParam(parseQueueUri(uri), 'batch', 1, 'queue uri');
        if (batch > MAX_BATCH) throw new ConfigurationError('queue uri', `'${uri}': batch=${batch} is more than ${MAX_BATCH}`, { hint: `give ?batch=1…${MAX_BATCH}` });
        const statements = sqliteQueue(p, table);
        const checkTable = store.migrates ? undefined : () => store.requireQueueTable(statements, uri);
        if (batch > 1) return new SqliteBatchQueue(uri, queue, db, statements, lease, batch, () => store.ready(), signal, checkTable);
        return new SqliteQueue(uri, queue, db, statements, lease, () => store.ready(), signal, checkTable);
      },
    };
  }

  idempotence(options?: SqlIdempotenceOptions, logger?: ILogger): SqlIdempotenceStore {
    return new SqlIdempotenceStore(this.store, options, logger);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
