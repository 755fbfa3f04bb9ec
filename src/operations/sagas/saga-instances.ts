import { StoreError } from '../../errors/errors.js';
import type { SqlStore } from '../../stores/sql/operations.js';

// The saga instances of an endpoints' SQL store, read straight from its `sagas` table (outside any unit of
// work: an operator looks, the endpoints go on) for `npx oncebus sagas` and the dashboard.

/** One instance as listed: its row without the state (`stateBytes` says how large that is). */
export interface SagaInstanceRow {
  readonly sagaType: string;
  readonly correlationId: string;
  readonly instanceId: string;
  readonly version: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Set when it completed and its saga keeps completed instances for a while (keepCompletedFor). */
  readonly completedAt: number | null;
  readonly stateBytes: number;
}

/** One instance with its serialized state (null: larger than was asked to be read). */
export interface SagaInstanceRecord extends SagaInstanceRow {
  readonly state: Uint8Array | null;
}

export interface SagaListQuery {
  /** Only this saga type. */
  readonly sagaType?: string;
  /** Only instances not completed and started before this (epoch ms): the stuck ones. */
  readonly startedBefore?: number;
  /** At most this many (the oldest first, by type). */
  readonly limit: number;
}

export interface SagaList {
  /** How many match, in all. */
  readonly total: number;
  readonly instances: readonly SagaInstanceRow[];
}

/** The qualified `sagas` table of a store (`<schema>.sagas` on PostgreSQL, `<prefix>sagas` on SQLite). */
export function sagaTableOf(store: SqlStore): string {
  const table = store.dialect.recordTables?.sagas;
  if (table === undefined) throw new StoreError(`${store.dialect.location} keeps no saga instances`);
  return table;
}

/**
 * Runs `read` on the sagas table; a table that is not there (a schema not migrated since sagas came) is a
 * StoreError saying how to add it, rather than the driver's "no such table".
 */
async function onSagaTable<T>(store: SqlStore, read: (table: string) => Promise<T>): Promise<T> {
  const table = sagaTableOf(store);
  try {
    return await read(table);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/no such table|does not exist|invalid object name/i.test(message)) throw error;
    throw new StoreError(`${store.dialect.location} has no sagas table: its schema predates sagas`, { hint: `migrate it: ${store.dialect.migrateCommand}`, cause: error });
  }
}

const COLUMNS = 'saga_type, correlation_id, instance_id, version, created_at, updated_at, completed_at';

/** The byte length of the state column, in the store's SQL. */
const stateLength = (store: SqlStore): string => (store.database.dialect === 'mssql' ? 'datalength(state)' : store.database.dialect === 'postgres' ? 'octet_length(state)' : 'length(state)');

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function rowOf(r: Record<string, unknown>): SagaInstanceRow {
  return {
    sagaType: String(r.saga_type),
    correlationId: String(r.correlation_id),
    instanceId: String(r.instance_id),
    version: num(r.version),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    completedAt: numOrNull(r.completed_at),
    stateBytes: num(r.state_bytes),
  };
}

/** Instances by type, the oldest first (the order of the (saga_type, created_at) index), and how many match. */
export async function listSagaInstances(store: SqlStore, query: SagaListQuery): Promise<SagaList> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.sagaType !== undefined) {
    params.push(query.sagaType);
    where.push(`saga_type = $${params.length}`);
  }
  if (query.startedBefore !== undefined) {
    params.push(query.startedBefore);
    where.push(`completed_at IS NULL AND created_at < $${params.length}`);
  }
  const filter = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return onSagaTable(store, async (table) => {
    const [counted] = await store.database.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}${filter}`, params);
    const rows = await store.database.query<Record<string, unknown>>(
      `SELECT ${COLUMNS}, ${stateLength(store)} AS state_bytes FROM ${table}${filter} ORDER BY saga_type, created_at, instance_id LIMIT ${Math.max(1, Math.floor(query.limit))}`,
      params,
    );
    return { total: num(counted?.n), instances: rows.map(rowOf) };
  });
}

/**
 * One instance by its id, with its state when that is at most `maxStateBytes` (a larger one is not even
 * read: its size is shown instead); undefined when there is none.
 */
export async function sagaInstance(store: SqlStore, instanceId: string, maxStateBytes: number): Promise<SagaInstanceRecord | undefined> {
  const length = stateLength(store);
  const [r] = await onSagaTable(store, (table) =>
    store.database.query<Record<string, unknown>>(`SELECT ${COLUMNS}, ${length} AS state_bytes, CASE WHEN ${length} <= $2 THEN state END AS state FROM ${table} WHERE instance_id = $1`, [
      instanceId,
      maxStateBytes,
    ]),
  );
  if (!r) return undefined;
  return { ...rowOf(r), state: r.state instanceof Uint8Array ? r.state : null };
}

/** How many instances of a type, and how many of them are open (not completed). */
export interface SagaTypeCount {
  readonly sagaType: string;
  readonly instances: number;
  readonly open: number;
}

/** Instances per saga type (at most `limit` types, by name). */
export async function sagaTypeCounts(store: SqlStore, limit = 200): Promise<SagaTypeCount[]> {
  const rows = await onSagaTable(store, (table) =>
    store.database.query<{ saga_type: string; n: unknown; open: unknown }>(
      `SELECT saga_type, count(*) AS n, sum(CASE WHEN completed_at IS NULL THEN 1 ELSE 0 END) AS open FROM ${table} GROUP BY saga_type ORDER BY saga_type LIMIT ${Math.max(1, Math.floor(limit))}`,
    ),
  );
  return rows.map((r) => ({ sagaType: String(r.saga_type), instances: num(r.n), open: num(r.open) }));
}
