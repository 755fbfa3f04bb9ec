// What the crash harness's processes do differently by database: the run's oncebus store (idempotence,
// subscriptions, sessions, queue tables) and business tables are in a PostgreSQL schema of their own
// (--transport rabbitmq and postgres) or in one SQLite file (--transport sqlite). Everything else in
// test/chaos is written once against this interface.
import type { IIdempotenceServiceFactory, IQueueFactory, ISubscriptionService } from '../../src/extending.js';
import type { SqlDatabase } from '../../src/stores/sql/sql-database.js';
import type { SqlIdempotenceOptions } from '../../src/stores/sql/sql-idempotence-store.js';
import type { SqlStore } from '../../src/stores/sql/sql-store.js';
import type { ChaosConfig } from './chaos-messages.js';

/** What PostgresStore and SqliteStore have in common, as the harness uses it. */
export interface ChaosStore {
  readonly database: SqlDatabase;
  readonly store: SqlStore;
  readonly subscriptions: ISubscriptionService;
  idempotence(options?: SqlIdempotenceOptions): IIdempotenceServiceFactory;
}

/** Which process opens the database: the pool each needs differs (PostgreSQL). */
export type ChaosRole = 'harness' | 'worker' | 'producer';

/** A record of the operations store (one failed message at one source queue). */
export interface OpsRecord {
  readonly message_id: string;
  readonly status: string;
  readonly times_failed: number;
}

export interface ChaosDatabase {
  /** For the log line that names the run's queues and database. */
  readonly description: string;
  /** The run's oncebus store. */
  readonly store: ChaosStore;
  /** Its queue tables (`postgres://default/…`, `sqlite://default/…`). */
  readonly queues: IQueueFactory;
  /**
   * How long a queue row taken by a process that dies stays invisible (its lease), in ms; 0 when the
   * database frees it with the dead connection (PostgreSQL's row locks).
   */
  readonly takenRowsReturnAfterMs: number;
  /** A business table's name (business, orders, repaired, followups, shipped, saga_audit). */
  table(name: string): string;
  /** The idempotence table (rows 'handled' still owe sends). */
  readonly idempotenceTable: string;
  /** The store's saga table (--sagas: no row may be left once every instance completed). */
  readonly sagaTable: string;
  /**
   * One statement ($1, $2, … in order) in a handler's or a session's transaction (`ctx.transaction`:
   * a pg PoolClient or a better-sqlite3 Database): its rows (none for a write).
   */
  inTransaction(tx: unknown, sql: string, params: readonly unknown[]): Promise<unknown[]>;
  /**
   * Restarts the database in the middle of the run. `killHolders` SIGKILLs every child process that has the
   * database open (the workers and the producer), all at once, and resolves with their number once every
   * one has exited; an embedded database restarts that way, a server does not need it.
   */
  restart(killHolders: () => Promise<number>, log: (line: string) => void): Promise<void>;
  /** The `oncebus errors …` flags of the operations store, in this database or next to it. */
  readonly opsStoreFlags: readonly string[];
  /** The `oncebus errors …` flags that reach the queue tables. */
  readonly opsTransportFlags: readonly string[];
  /** The operations store's records; none before the first ingestor created its tables. */
  opsRecords(): Promise<OpsRecord[]>;
  /** Closes the connections; `drop` also removes everything the run created. */
  close(drop: boolean): Promise<void>;
}

/** The run's database as `role` opens it. */
export async function openChaosDatabase(cfg: ChaosConfig, role: ChaosRole): Promise<ChaosDatabase> {
  // Imported by kind, so a SQLite run loads no pg and a PostgreSQL run no better-sqlite3.
  if (cfg.transport === 'sqlite') return (await import('./sqlite-chaos-database.js')).openSqliteChaosDatabase(cfg, role);
  return (await import('./postgres-chaos-database.js')).openPostgresChaosDatabase(cfg, role);
}
