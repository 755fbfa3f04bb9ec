import type { Migration } from './migrations.js';
import { migrate } from './migrations.js';
import type { SqlDatabase } from './sql-database.js';
import type { GroupCommitStatements, IdempotenceStatements, QueueStatements, SubscriptionStatements } from './sql-statements.js';

/** What a dialect supplies: its database, its statements and its migrations. */
export interface SqlDialect {
  readonly database: SqlDatabase;
  readonly idempotence: IdempotenceStatements;
  /** Present when the dialect can group-commit (PostgreSQL, SQLite). */
  readonly groupCommit?: GroupCommitStatements;
  readonly subscriptions: SubscriptionStatements;
  /** Statements of one queue table. */
  queue(table: string): QueueStatements;
  readonly versionTable: string;
  readonly createVersionTable: readonly string[];
  readonly migrations: readonly Migration[];
}

/**
 * One SQL database used by oncebus: migrated once (lazily, on first use, by whichever part starts first),
 * then shared by the idempotence service, the subscriptions and the queues built on it.
 */
export class SqlStore {
  private migrated: Promise<number> | null = null;

  constructor(readonly dialect: SqlDialect) {}

  get database(): SqlDatabase {
    return this.dialect.database;
  }

  /** Applies pending migrations (once per process); resolves to the schema version. */
  ready(): Promise<number> {
    if (!this.migrated) {
      const d = this.dialect;
      this.migrated = migrate(d.database, d.versionTable, d.createVersionTable, d.migrations).catch((error: unknown) => {
        this.migrated = null;
        throw error;
      });
    }
    return this.migrated;
  }

  close(): Promise<void> {
    return this.dialect.database.close();
  }
}
