import { ConfigurationError, OncebusError } from '../../errors/errors.js';
import type { IUnitOfWork, IUnitOfWorkRecords } from '../../idempotence/unit-of-work.js';
import type { ISagaPersister, StoredSaga } from '../saga-persister.js';
import { type SagaRow, type SagaStatements, sagaStatementsFor } from './saga-statements.js';

/**
 * Saga instances in the `sagas` table of a SQL store (SQLite, PostgreSQL, SQL Server), read and written on
 * the message's unit of work through `IUnitOfWork.records`, so a saga's save commits with the handler's
 * writes, its stored sends and the idempotence claim — with group commit, inside the message's savepoint.
 * Every write is conditional (see ISagaPersister); none fails the transaction when its condition does not hold.
 */
export class SqlSagaPersister implements ISagaPersister {
  /** By dialect and table: a store's statements are built once. */
  private readonly statements = new Map<string, SagaStatements>();

  async findByCorrelation(uow: IUnitOfWork, sagaType: string, correlationId: string): Promise<StoredSaga | undefined> {
    const { records, s } = this.on(uow);
    const params = [sagaType, correlationId];
    const [row] = await records.query<SagaRow>(s.findByCorrelation, params);
    if (row || !s.lockCorrelation) return row ? toStoredSaga(row) : undefined;
    // None committed: wait for a unit of work that may be starting it (it holds this lock), then read again.
    await records.query(s.lockCorrelation, params);
    const [started] = await records.query<SagaRow>(s.findByCorrelation, params);
    return started ? toStoredSaga(started) : undefined;
  }

  async findById(uow: IUnitOfWork, sagaType: string, instanceId: string): Promise<StoredSaga | undefined> {
    const { records, s } = this.on(uow);
    const [row] = await records.query<SagaRow>(s.findById, [sagaType, instanceId]);
    return row ? toStoredSaga(row) : undefined;
  }

  async insert(uow: IUnitOfWork, saga: StoredSaga): Promise<boolean> {
    const { records, s } = this.on(uow);
    const params = [saga.sagaType, saga.correlationId, saga.instanceId, saga.state, saga.createdAt, saga.updatedAt, saga.completedAt];
    try {
      return (await records.execute(s.insert, params)) === 1;
    } catch (error) {
      // SQL Server: should its key check still meet a duplicate (the statement alone failed), the row exists.
      if (OncebusError.is(error) && error.code === 'ONCEBUS_STORE_DUPLICATE_KEY') return false;
      throw error;
    }
  }

  async update(uow: IUnitOfWork, saga: StoredSaga, expectedVersion: number): Promise<boolean> {
    const { records, s } = this.on(uow);
    const params = [saga.sagaType, saga.instanceId, saga.state, expectedVersion + 1, saga.updatedAt, saga.completedAt, expectedVersion];
    return (await records.execute(s.update, params)) === 1;
  }

  async remove(uow: IUnitOfWork, sagaType: string, instanceId: string, expectedVersion: number): Promise<boolean> {
    const { records, s } = this.on(uow);
    return (await records.execute(s.remove, [sagaType, instanceId, expectedVersion])) === 1;
  }

  private on(uow: IUnitOfWork): { records: IUnitOfWorkRecords; s: SagaStatements } {
    const records = uow.records;
    if (!records) {
      throw new ConfigurationError(
        'idempotence',
        `sagas keep their instances in the endpoint's idempotence store, and this one (${uow.storeId}) cannot hold them`,
        { hint: 'use the SQLite, PostgreSQL or SQL Server store (SqliteStore, PostgresStore, MssqlStore) or the memory store for sagas' },
      );
    }
    const key = `${records.dialect}:${records.table('sagas')}`;
    let s = this.statements.get(key);
    if (!s) this.statements.set(key, (s = sagaStatementsFor(records)));
    return { records, s };
  }
}

function toStoredSaga(row: SagaRow): StoredSaga {
  return {
    sagaType: row.saga_type,
    correlationId: row.correlation_id,
    instanceId: row.instance_id,
    // The drivers answer Buffers: the same bytes as a plain Uint8Array, as every persister returns them.
    state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength),
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
  };
}
