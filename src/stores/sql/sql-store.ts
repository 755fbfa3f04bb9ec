import { SchemaNotMigratedError } from '../../errors/errors.js';
import { applyMigrations, type Migration, migrate, pendingMigrations } from './migrations.js';
import type { SqlDatabase } from './sql-database.js';
import type { RecordTables } from './sql-unit-of-work-records.js';
import type { GroupCommitStatements, IdempotenceStatements, QueueStatements, SubscriptionStatements } from './sql-statements.js';

/** What a dialect supplies: its database, its statements and its migrations. */
export interface SqlDialect {
  readonly database: SqlDatabase;
  readonly idempotence: IdempotenceStatements;
  /** Present when the dialect can group-commit (PostgreSQL, SQLite). */
  readonly groupCommit?: GroupCommitStatements;
  readonly subscriptions: SubscriptionStatements;
  /**
   * The tables kept for add-ons (the sagas' instances), qualified and validated, offered to them through
   * `IUnitOfWork.records`; absent for a dialect without them (its units of work have no `records`).
   */
  readonly recordTables?: RecordTables;
  /**
   * Deletes one bounded batch of expired HTTP Idempotency-Keys (parameters: now in epoch ms, batch size);
   * the retention purge runs it. Absent for a dialect without the http_keys table.
   */
  readonly purgeExpiredHttpKeys?: string;
  /** Statements of one queue table. */
  queue(table: string): QueueStatements;
  readonly versionTable: string;
  readonly createVersionTable: readonly string[];
  /** () → a row when the version table exists (asked without creating anything). */
  readonly versionTableExists: string;
  readonly migrations: readonly Migration[];
  /** Where the schema is, without credentials, for errors: "PostgreSQL postgres://u:***@db/app (schema oncebus)". */
  readonly location: string;
  /** The `oncebus migrate` command line that migrates this schema (credentials masked). */
  readonly migrateCommand: string;
  /**
   * The GRANTs that let `role` run endpoints on this schema without DDL rights (USAGE, and DML on its tables,
   * those created later included); absent where the database has no roles (SQLite: file permissions).
   */
  grants?(role: string): string[];
}

export interface SqlStoreOptions {
  /**
   * Whether the store brings its schema up to date itself (default true): at first use it applies pending
   * migrations and creates queue tables, which needs DDL rights. With false it issues no DDL: it checks the
   * schema's version and each queue table, and fails with SchemaNotMigratedError naming what is missing;
   * `npx oncebus migrate` applies it, as a user that may change the schema.
   */
  readonly migrate?: boolean;
}

/**
 * One SQL database used by oncebus: migrated once (lazily, on first use, by whichever part starts first),
 * or only checked (`migrate: false`), then shared by the idempotence service, the subscriptions and the
 * queues built on it.
 */
export class SqlStore {
  private migrated: Promise<number> | null = null;
  /** Whether this store may change its schema (SqlStoreOptions.migrate). */
  readonly migrates: boolean;

  constructor(
    readonly dialect: SqlDialect,
    options: SqlStoreOptions = {},
  ) {
    this.migrates = options.migrate ?? true;
  }

  get database(): SqlDatabase {
    return this.dialect.database;
  }

  /** Applies pending migrations, or with `migrate: false` checks that none is pending (once per process); resolves to the schema version. */
  ready(): Promise<number> {
    if (!this.migrated) {
      const d = this.dialect;
      const done = this.migrates ? migrate(d.database, d.versionTable, d.createVersionTable, d.migrations) : this.requireMigrated();
      this.migrated = done.catch((error: unknown) => {
        this.migrated = null;
        throw error;
      });
    }
    return this.migrated;
  }

  /** The migrations this schema lacks, in order (nothing is created to find out). */
  pending(): Promise<Migration[]> {
    const d = this.dialect;
    return pendingMigrations(d.database, d.versionTableExists, d.versionTable, d.migrations);
  }

  /** Applies every pending migration now (`oncebus migrate`), whatever `migrate` says; resolves to those applied and the version. */
  applyMigrations(): Promise<{ applied: Migration[]; version: number }> {
    const d = this.dialect;
    return applyMigrations(d.database, d.versionTable, d.createVersionTable, d.migrations);
  }

  /** Whether a queue table exists (its statements' `tableExists`). */
  async hasQueueTable(statements: QueueStatements): Promise<boolean> {
    return (await this.database.query(statements.tableExists)).length > 0;
  }

  /**
   * For a store that does not migrate: the queue's table must be there already (`oncebus migrate
   * --settings`/`--queue` creates it); else a SchemaNotMigratedError naming it.
   */
  async requireQueueTable(statements: QueueStatements, queueUri: string): Promise<void> {
    await this.ready();
    if (await this.hasQueueTable(statements)) return;
    throw new SchemaNotMigratedError(
      `${this.dialect.location} has no table ${statements.table} for queue ${queueUri}, and this store does not create tables (migrate: false)`,
      `run \`${this.dialect.migrateCommand} --settings <the endpoint's settings file>\` (or --queue ${queueUri}) as a user allowed to change the schema, then start again`,
      queueUri,
    );
  }

  private async requireMigrated(): Promise<number> {
    const missing = await this.pending();
    const d = this.dialect;
    if (missing.length > 0) {
      const named = missing.map((m) => `migration ${m.version} (${m.description})`).join(', ');
      throw new SchemaNotMigratedError(
        `${d.location} is behind this version of oncebus: missing ${named}; this store does not migrate (migrate: false)`,
        `run \`${d.migrateCommand}\` as a user allowed to change the schema (add --print to see the SQL instead), then start again`,
      );
    }
    return Math.max(0, ...d.migrations.map((m) => m.version));
  }

  close(): Promise<void> {
    return this.dialect.database.close();
  }
}
