// The crash harness on PostgreSQL: the run's tables in a schema of their own (and the operations store in
// `<schema>_ops`), restarted with pg_ctlcluster, which the processes ride out by reconnecting.
import { execFileSync } from 'node:child_process';
import type pg from 'pg';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import type { ChaosDatabase, ChaosRole, OpsRecord } from './chaos-database.js';
import { type ChaosConfig, opsSchemaOf } from './chaos-messages.js';

/** A worker's pool: on queue tables each of the five endpoints also holds up to 3 open batches. */
function poolSize(cfg: ChaosConfig, role: ChaosRole): number | undefined {
  if (role === 'producer') return 4;
  // A batch holds a connection each (15) beside the units of work (22 with --per-message): 40. The pool
  // opens connections as they are needed. Over the broker, 30 cover the endpoints' 8 + 8 + 3 x 2, plus takes.
  // The saga endpoint (--sagas) adds its 8 units of work and, on queue tables, its 3 batches.
  const sagas = cfg.sagas > 0 ? (cfg.transport === 'postgres' ? 11 : 8) : 0;
  if (role === 'worker') return (cfg.transport === 'postgres' ? 40 : 30) + sagas;
  return undefined;
}

export function openPostgresChaosDatabase(cfg: ChaosConfig, role: ChaosRole): ChaosDatabase {
  const store = new PostgresStore({ connectionString: cfg.pgUrl, schema: cfg.schema, poolSize: poolSize(cfg, role), connectTimeoutMs: 2000 });
  const opsSchema = opsSchemaOf(cfg);
  return {
    description: `PostgreSQL tables, batches of ${cfg.batch}`,
    store,
    queues: store.queues,
    takenRowsReturnAfterMs: 0,
    table: (name) => `${cfg.schema}.${name}`,
    idempotenceTable: `${cfg.schema}.idempotence`,
    sagaTable: `${cfg.schema}.sagas`,
    async inTransaction(tx, sql, params) {
      return (await (tx as pg.PoolClient).query(sql, [...params])).rows;
    },
    async restart(_killHolders, log) {
      log('chaos: restarting PostgreSQL');
      execFileSync('bash', ['-c', 'pg_ctlcluster $(ls /etc/postgresql | sort -n | tail -1) main restart -m fast']);
    },
    opsStoreFlags: ['--store', cfg.pgUrl, '--schema', opsSchema],
    opsTransportFlags: ['--transport', cfg.pgUrl, '--transport-schema', cfg.schema],
    opsRecords() {
      return store.database
        .query<OpsRecord>(`SELECT message_id, status, times_failed::int AS times_failed FROM ${opsSchema}.failed_messages`)
        .catch(() => []); // the schema is created by the first ingestor
    },
    async close(drop) {
      if (drop) {
        await store.database.execute(`DROP SCHEMA IF EXISTS ${cfg.schema} CASCADE`).catch(() => undefined);
        await store.database.execute(`DROP SCHEMA IF EXISTS ${opsSchema} CASCADE`).catch(() => undefined);
      }
      await store.close();
    },
  };
}
