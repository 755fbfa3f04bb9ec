import type { ILogger } from '../../logging/logger.js';
import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { RowLockingQueue } from '../sql/row-locking-queue.js';
import { sqlIdentifier } from '../sql/sql-identifiers.js';
import { type SqlIdempotenceOptions, SqlIdempotenceStore } from '../sql/sql-idempotence-store.js';
import { sqlQueueTable } from '../sql/sql-queue-uri.js';
import { SqlStore } from '../sql/sql-store.js';
import { SqlSubscriptionService } from '../sql/sql-subscription-service.js';
import { type MssqlConnectionOptions, MssqlDatabase } from './mssql-database.js';
import {
  mssqlCreateVersionTable,
  mssqlGrants,
  mssqlIdempotence,
  mssqlMigrations,
  mssqlQueue,
  mssqlPurgeExpiredHttpKeys,
  mssqlRecordTables,
  mssqlSubscriptions,
  mssqlVersionTable,
  mssqlVersionTableExists,
} from './mssql-statements.js';

export interface MssqlStoreOptions extends MssqlConnectionOptions {
  readonly schema?: string;
  readonly name?: string;
  readonly scheme?: string;
  /**
   * Whether the store creates and migrates its schema and queue tables itself (default true; needs DDL
   * rights). false: it never issues DDL, checks the schema at start and fails with SchemaNotMigratedError
   * when it is behind; run `npx oncebus migrate` as a user that may change the schema (docs/sql-stores.md).
   */
  readonly migrate?: boolean;
}

/** SQL Server errors 2714 (object exists) and 2627/2601 on a racing CREATE: the table is there either way. */
function isAlreadyExists(error: unknown): boolean {
  const n = (error as { cause?: { number?: number } }).cause?.number;
  return n === 2714 || n === 2627 || n === 2601;
}

/** oncebus on SQL Server: idempotence, subscriptions and mssql://<name>/<queue> queues in one schema. */
export class MssqlStore {
  readonly database: MssqlDatabase;
  readonly store: SqlStore;
  readonly subscriptions: SqlSubscriptionService;
  readonly queues: IQueueFactory;
  readonly schema: string;

  constructor(options: MssqlStoreOptions) {
    const s = sqlIdentifier(options.schema ?? 'oncebus', 'schema');
    this.schema = s;
    const name = options.name ?? 'default';
    const scheme = options.scheme ?? 'mssql';
    this.database = new MssqlDatabase(options);
    this.store = new SqlStore({
      database: this.database,
      idempotence: mssqlIdempotence(s),
      subscriptions: mssqlSubscriptions(s),
      queue: (table) => mssqlQueue(s, table),
      versionTable: mssqlVersionTable(s),
      createVersionTable: mssqlCreateVersionTable(s),
      versionTableExists: mssqlVersionTableExists(s),
      migrations: mssqlMigrations(s),
      recordTables: mssqlRecordTables(s),
      purgeExpiredHttpKeys: mssqlPurgeExpiredHttpKeys(s),
      location: `SQL Server ${this.database.name} (schema ${s})`,
      migrateCommand: `npx oncebus migrate --store mssql://<user>:<password>@<host>/<database> --schema ${s}`,
      grants: (role) => mssqlGrants(s, role),
    }, { migrate: options.migrate });
    this.subscriptions = new SqlSubscriptionService(this.store);
    const { database: db, store } = this;
    this.queues = {
      scheme,
      create(uri: string): IQueue {
        const { table, queue } = sqlQueueTable(uri, scheme, name);
        const statements = mssqlQueue(s, table);
        const checkTable = store.migrates ? undefined : () => store.requireQueueTable(statements, uri);
        return new RowLockingQueue(uri, queue, db, statements, () => store.ready(), isAlreadyExists, undefined, checkTable);
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
