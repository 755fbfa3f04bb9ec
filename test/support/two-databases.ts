import type { TransportMessage } from '../../src/envelope/transport-message.js';
import { deserializeTransportMessage } from '../../src/envelope/wire-format.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { PG_POOLER_OPTIONS } from './sql-subjects.js';
import type { IQueue } from '../../src/transport/queue.js';

/**
 * Where a crash or session test keeps its data: a 'main' database (work queue, idempotence, the test's
 * own tables) and an 'out' database for the queues messages go to, so sends from main are stored and
 * flushed rather than enlisted into main's transactions. Given to child processes as JSON.
 */
export interface TwoDatabases {
  kind: 'postgres' | 'sqlite';
  pgUrl?: string;
  schema?: string;
  outSchema?: string;
  sqliteFile?: string;
  outSqliteFile?: string;
  /** SQLite queue leases (ms); the store's default when left out. */
  leaseMs?: number;
}

/** Opens both stores: queues answer to `main://` and `out://`. */
export function openTwoDatabases(cfg: TwoDatabases): { main: PostgresStore | SqliteStore; out: PostgresStore | SqliteStore } {
  const lease = cfg.leaseMs === undefined ? {} : { leaseMs: cfg.leaseMs };
  if (cfg.kind === 'postgres') {
    return {
      main: new PostgresStore({ connectionString: cfg.pgUrl!, schema: cfg.schema!, scheme: 'main', ...PG_POOLER_OPTIONS }),
      out: new PostgresStore({ connectionString: cfg.pgUrl!, schema: cfg.outSchema!, scheme: 'out', ...PG_POOLER_OPTIONS }),
    };
  }
  return {
    main: new SqliteStore({ file: cfg.sqliteFile!, scheme: 'main', synchronous: 'NORMAL', ...lease }),
    out: new SqliteStore({ file: cfg.outSqliteFile!, scheme: 'out', synchronous: 'NORMAL', ...lease }),
  };
}

/** Drops the PostgreSQL schemas (a test's leftovers) and closes both stores. */
export async function disposeTwoDatabases(cfg: TwoDatabases, stores: { main: PostgresStore | SqliteStore; out: PostgresStore | SqliteStore }): Promise<void> {
  if (cfg.kind === 'postgres') {
    await stores.main.database.execute(`DROP SCHEMA IF EXISTS ${cfg.schema} CASCADE`).catch(() => undefined);
    await stores.out.database.execute(`DROP SCHEMA IF EXISTS ${cfg.outSchema} CASCADE`).catch(() => undefined);
  }
  await stores.main.close();
  await stores.out.close();
}

/** Every envelope waiting in a queue, taken and acknowledged. */
export async function drainQueue(queue: IQueue): Promise<TransportMessage[]> {
  const all: TransportMessage[] = [];
  for (;;) {
    const r = await queue.getMessage();
    if (!r) return all;
    all.push(deserializeTransportMessage(r.body));
    await queue.acknowledge(r.token);
  }
}
