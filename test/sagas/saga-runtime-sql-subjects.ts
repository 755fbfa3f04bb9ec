import type { Database } from 'better-sqlite3';
import type { PoolClient } from 'pg';
import type { SagaRow } from '../../src/sagas/persistence/saga-statements.js';
import { SqlSagaPersister } from '../../src/sagas/persistence/sql-saga-persister.js';
import type { StoredSaga } from '../../src/sagas/saga-persister.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../support/sql-subjects.js';
import type { SagaRuntimeStore, SagaRuntimeSubject } from './saga-runtime-contract.js';

/** How one SQL run is set up: group commit on the idempotence store, and inboxes on the store's own queues or on memory ones. */
export interface SqlRunOptions {
  readonly groupCommit: boolean;
  readonly sqlQueues: boolean;
}

export const SQL_RUNS: readonly SqlRunOptions[] = [
  { groupCommit: false, sqlQueues: false },
  { groupCommit: true, sqlQueues: false },
  { groupCommit: false, sqlQueues: true },
  { groupCommit: true, sqlQueues: true },
];

export const runName = (dialect: string, o: SqlRunOptions) => `${dialect}${o.groupCommit ? ' with group commit' : ''}, ${o.sqlQueues ? `${dialect} queues` : 'memory queues'}`;

/** A row of the sagas table as a StoredSaga (bigint columns come back as strings from pg). */
function stored(row: SagaRow): StoredSaga {
  return {
    sagaType: row.saga_type,
    correlationId: row.correlation_id,
    instanceId: row.instance_id,
    state: new Uint8Array(row.state),
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
  };
}

const COLUMNS = 'saga_type, correlation_id, instance_id, state, version, created_at, updated_at, completed_at';

/** SQLite on a file in a temp folder. */
export function sqliteRuntimeSubject(o: SqlRunOptions): SagaRuntimeSubject {
  return {
    open: async (): Promise<SagaRuntimeStore> => {
      const store = openSqliteStore({ leaseMs: 10_000 });
      await store.store.ready();
      await store.database.execute('CREATE TABLE saga_own_rows (k TEXT PRIMARY KEY)');
      return {
        idempotence: () => store.idempotence({ groupCommit: o.groupCommit }),
        ...(o.sqlQueues ? { queues: store.queues, queueUri: (name: string) => `sqlite://default/${name}` } : {}),
        persister: () => new SqlSagaPersister(),
        rows: async (sagaType) =>
          (await store.database.query<SagaRow>(`SELECT ${COLUMNS} FROM oncebus_sagas WHERE saga_type = $1 ORDER BY created_at`, [sagaType])).map(stored),
        writeOwnRow: async (transaction, key) => void (transaction as Database).prepare('INSERT INTO saga_own_rows (k) VALUES (?)').run(key),
        ownRowExists: async (key) => (await store.database.query('SELECT 1 AS found FROM saga_own_rows WHERE k = $1', [key])).length > 0,
        close: () => store.dispose(),
      };
    },
  };
}

/** PostgreSQL on the real server, in a schema of its own. */
export function postgresRuntimeSubject(o: SqlRunOptions): SagaRuntimeSubject {
  return {
    available: postgresAvailable,
    open: async (): Promise<SagaRuntimeStore> => {
      const store = openPostgresStore({ poolSize: 30 });
      await store.store.ready();
      const { schema } = store;
      await store.database.execute(`CREATE TABLE ${schema}.saga_own_rows (k text PRIMARY KEY)`);
      return {
        idempotence: () => store.idempotence({ groupCommit: o.groupCommit }),
        ...(o.sqlQueues ? { queues: store.queues, queueUri: (name: string) => `postgres://default/${name}` } : {}),
        persister: () => new SqlSagaPersister(),
        rows: async (sagaType) =>
          (await store.database.query<SagaRow>(`SELECT ${COLUMNS} FROM ${schema}.sagas WHERE saga_type = $1 ORDER BY created_at`, [sagaType])).map(stored),
        writeOwnRow: async (transaction, key) => void (await (transaction as PoolClient).query(`INSERT INTO ${schema}.saga_own_rows (k) VALUES ($1)`, [key])),
        ownRowExists: async (key) => (await store.database.query(`SELECT 1 AS found FROM ${schema}.saga_own_rows WHERE k = $1`, [key])).length > 0,
        close: () => store.dispose(),
      };
    },
  };
}
