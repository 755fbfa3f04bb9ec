import type { IUnitOfWorkRecords } from '../../idempotence/unit-of-work.js';

/**
 * The statements of the SQL saga persister for one dialect and table (IUnitOfWorkRecords.table('sagas')).
 * Parameters, in order, are the same in every dialect:
 * - findByCorrelation (sagaType, correlationId), findById (sagaType, instanceId) → rows of SagaRow
 * - insert (sagaType, correlationId, instanceId, state, createdAt, updatedAt, completedAt): at version 1,
 *   touching 0 rows (never failing) when (sagaType, correlationId) exists
 * - update (sagaType, instanceId, state, newVersion, updatedAt, completedAt, expectedVersion)
 * - remove (sagaType, instanceId, expectedVersion)
 * - lockCorrelation (sagaType, correlationId), where the dialect needs it: see postgresSagaStatements
 */
export interface SagaStatements {
  readonly findByCorrelation: string;
  /** Run after findByCorrelation found nothing: waits for a unit of work that may be inserting that key, then the find runs again. */
  readonly lockCorrelation?: string;
  readonly findById: string;
  readonly insert: string;
  readonly update: string;
  readonly remove: string;
}

/** A row as the drivers return it: bigint columns come back as strings from pg and tedious. */
export interface SagaRow {
  saga_type: string;
  correlation_id: string;
  instance_id: string;
  state: Uint8Array;
  version: number | string;
  created_at: number | string;
  updated_at: number | string;
  completed_at: number | string | null;
}

const COLUMNS = 'saga_type, correlation_id, instance_id, state, version, created_at, updated_at, completed_at';

/** The first key of the saga correlation locks ('once'): their own space among the database's advisory locks. */
const SAGA_LOCK_CLASS = 1869505381;

/**
 * PostgreSQL. Loads lock the row (FOR UPDATE): a second unit of work loading the instance waits for the
 * first to commit, then reads what it saved, instead of both working on one version and one failing at save.
 * FOR UPDATE locks only a row that exists: a load that finds none takes a transaction-scoped advisory lock
 * on (saga type, correlation value) and reads again. A starter inserting that key holds the same lock (its
 * own load found nothing), so a message for an instance whose start has not committed yet waits for it and
 * then finds it, instead of taking the not-found policy (as on SQLite and memory, where it waits too); and
 * racing starters meet at the lock, so the second loads the first's instance instead of losing its insert.
 * The insert's ON CONFLICT still waits for a racing uncommitted insert of the same key, then touches nothing.
 */
export function postgresSagaStatements(t: string): SagaStatements {
  return {
    findByCorrelation: `SELECT ${COLUMNS} FROM ${t} WHERE saga_type = $1 AND correlation_id = $2 FOR UPDATE`,
    // U+001F cannot occur in either part (saga names and correlation values hold no control characters).
    lockCorrelation: `SELECT pg_advisory_xact_lock(${SAGA_LOCK_CLASS}, hashtext($1::text || chr(31) || $2::text))`,
    findById: `SELECT ${COLUMNS} FROM ${t} WHERE saga_type = $1 AND instance_id = $2 FOR UPDATE`,
    insert: `INSERT INTO ${t} (${COLUMNS}) VALUES ($1, $2, $3, $4, 1, $5, $6, $7)
             ON CONFLICT (saga_type, correlation_id) DO NOTHING`,
    ...versionedWrites(t, '$'),
  };
}

/** SQLite: one writer at a time (BEGIN IMMEDIATE), so nothing to lock; the version check still guards a group-commit batch. */
export function sqliteSagaStatements(t: string): SagaStatements {
  return {
    findByCorrelation: `SELECT ${COLUMNS} FROM ${t} WHERE saga_type = $1 AND correlation_id = $2`,
    findById: `SELECT ${COLUMNS} FROM ${t} WHERE saga_type = $1 AND instance_id = $2`,
    insert: `INSERT INTO ${t} (${COLUMNS}) VALUES ($1, $2, $3, $4, 1, $5, $6, $7)
             ON CONFLICT (saga_type, correlation_id) DO NOTHING`,
    ...versionedWrites(t, '$'),
  };
}

/**
 * SQL Server. A plain INSERT of an existing key fails with a duplicate key; with XACT_ABORT on (a
 * connection setting, or a handler's SET) that error dooms the whole unit of work. So the insert checks
 * first, in the same statement, under UPDLOCK + HOLDLOCK: the key-range lock makes a racing insert of the
 * same correlation wait for this transaction's end, then see its row and insert nothing (0 rows: false),
 * where a plain NOT EXISTS would let both pass the check and the second fail on the key.
 */
export function mssqlSagaStatements(t: string): SagaStatements {
  return {
    findByCorrelation: `SELECT ${COLUMNS} FROM ${t} WHERE saga_type = @p1 AND correlation_id = @p2`,
    findById: `SELECT ${COLUMNS} FROM ${t} WHERE saga_type = @p1 AND instance_id = @p2`,
    insert: `INSERT INTO ${t} (${COLUMNS}) SELECT @p1, @p2, @p3, @p4, 1, @p5, @p6, @p7
             WHERE NOT EXISTS (SELECT 1 FROM ${t} WITH (UPDLOCK, HOLDLOCK) WHERE saga_type = @p1 AND correlation_id = @p2)`,
    ...versionedWrites(t, '@p'),
  };
}

/** Update and remove only from the version the caller loaded: 0 rows when another unit of work saved first. */
function versionedWrites(t: string, p: '$' | '@p'): Pick<SagaStatements, 'update' | 'remove'> {
  return {
    update: `UPDATE ${t} SET state = ${p}3, version = ${p}4, updated_at = ${p}5, completed_at = ${p}6
             WHERE saga_type = ${p}1 AND instance_id = ${p}2 AND version = ${p}7`,
    remove: `DELETE FROM ${t} WHERE saga_type = ${p}1 AND instance_id = ${p}2 AND version = ${p}3`,
  };
}

/** The statements for the records' dialect, on its sagas table. */
export function sagaStatementsFor(records: IUnitOfWorkRecords): SagaStatements {
  const table = records.table('sagas');
  switch (records.dialect) {
    case 'postgres':
      return postgresSagaStatements(table);
    case 'sqlite':
      return sqliteSagaStatements(table);
    case 'mssql':
      return mssqlSagaStatements(table);
  }
}
