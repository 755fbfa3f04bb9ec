// The crash harness on one SQLite file: queue tables, idempotence, subscriptions, sessions and the
// business tables, so a handler's work, its sends and its idempotence row commit in one SQLite
// transaction. The operations store is a file of its own beside it (as PostgreSQL's is a schema of its
// own). An embedded database has no server to restart: its restart is every process holding the file
// SIGKILLed at once, so that the next one to open it recovers the WAL they left.
import { rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { SqliteDatabase } from '../../src/stores/sqlite/sqlite-database.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import type { ChaosDatabase, ChaosRole, OpsRecord } from './chaos-database.js';
import type { ChaosConfig } from './chaos-messages.js';
import { queuesOfCurrentStore } from './current-store-queues.js';

/** SqliteStore's defaults, which `oncebus errors --transport sqlite:<file>` assumes too. */
const PREFIX = 'oncebus_';
/** SqliteStore's default lease: a row taken by a process that dies comes back after it. */
const LEASE_MS = 30_000;

export function openSqliteChaosDatabase(cfg: ChaosConfig, role: ChaosRole): ChaosDatabase {
  const file = cfg.sqliteFile;
  const opsFile = join(dirname(file), 'ops.db');
  const open = () => new SqliteStore({ file, tablePrefix: PREFIX, leaseMs: LEASE_MS });
  let current = open();
  // Opened on first use: the operations CLI creates its tables.
  let ops: SqliteDatabase | null = null;
  return {
    description: `SQLite tables in ${file}, batches of ${cfg.batch}`,
    get store() {
      return current;
    },
    // The harness's queues follow its store across the restart; a child's are the store's own (they enlist
    // in its units of work).
    queues: role === 'harness' ? queuesOfCurrentStore('sqlite', () => current.queues) : current.queues,
    takenRowsReturnAfterMs: LEASE_MS,
    table: (name) => name,
    idempotenceTable: `${PREFIX}idempotence`,
    sagaTable: `${PREFIX}sagas`,
    async inTransaction(tx, sql, params) {
      // The statements number their parameters in order: better-sqlite3 binds them positionally.
      const statement = (tx as Database.Database).prepare(sql.replace(/\$\d+/g, '?'));
      if (statement.reader) return statement.all(...params);
      statement.run(...params);
      return [];
    },
    async restart(killHolders, log) {
      log('chaos: restarting SQLite (every process holding the file killed at once)');
      // The harness lets go first (waiting for its statement in flight), so that the file's last holders
      // die holding it rather than closing it: nobody checkpoints the WAL on the way out.
      await current.close();
      const killed = await killHolders();
      const wal = statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
      current = open();
      // The first read of the next opener rebuilds the WAL index from the file the dead processes left.
      const [row] = await current.database.query<{ n: number }>(`SELECT count(*) AS n FROM ${PREFIX}idempotence`);
      log(`chaos: SQLite: ${killed} processes killed at once, a ${wal}-byte WAL left; reopened (${row?.n ?? 0} idempotence rows)`);
    },
    opsStoreFlags: ['--store', `sqlite:${opsFile}`],
    opsTransportFlags: ['--transport', `sqlite:${file}`],
    opsRecords() {
      ops ??= new SqliteDatabase({ file: opsFile });
      return ops.query<OpsRecord>(`SELECT message_id, status, times_failed FROM ${PREFIX}ops_failed_messages`).catch(() => []);
    },
    async close(drop) {
      await current.close();
      await ops?.close();
      if (drop) rmSync(dirname(file), { recursive: true, force: true });
    },
  };
}
