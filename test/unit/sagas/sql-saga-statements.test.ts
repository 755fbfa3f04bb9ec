import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/errors.js';
import type { IUnitOfWork, IUnitOfWorkRecords } from '../../../src/idempotence/unit-of-work.js';
import { mssqlSagaStatements, postgresSagaStatements, sqliteSagaStatements } from '../../../src/sagas/persistence/saga-statements.js';
import { SqlSagaPersister } from '../../../src/sagas/persistence/sql-saga-persister.js';
import type { StoredSaga } from '../../../src/sagas/saga-persister.js';
import { DuplicateKeyError } from '../../../src/stores/mssql/index.js';

/** Records that answer what a test gives and keep every statement run. */
class FakeRecords implements IUnitOfWorkRecords {
  readonly calls: { sql: string; params: readonly unknown[] }[] = [];
  rows: object[] = [];
  count: number | Error = 1;

  constructor(
    readonly dialect: 'sqlite' | 'postgres' | 'mssql',
    private readonly sagas = 'app.sagas',
  ) {}

  table(): string {
    return this.sagas;
  }

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.calls.push({ sql, params });
    return this.rows as R[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    this.calls.push({ sql, params });
    if (this.count instanceof Error) throw this.count;
    return this.count;
  }
}

const uowOn = (records?: IUnitOfWorkRecords): IUnitOfWork => ({ transaction: null, storeId: 'memory:test', commit: async () => {}, rollback: async () => {}, records });

const SAGA: StoredSaga = {
  sagaType: 'OrderFulfilment',
  correlationId: 'o-1',
  instanceId: '5a0c3f7e-0000-4000-8000-000000000001',
  state: Uint8Array.from([0, 1, 255]),
  version: 1,
  createdAt: 1_732_000_000_000,
  updatedAt: 1_732_000_000_500,
  completedAt: null,
};

// SQL Server cannot run here (test/contract/mssql-sagas.test.ts runs the contract when a connection string
// is given): these pin down the statement text and what the persister sends and reads, for every dialect.
describe('SQL saga statements and the SQL saga persister at the driver boundary', () => {
  it('SQL Server: only @pN parameters, numbered from 1 without gaps, in every statement', () => {
    for (const text of Object.values(mssqlSagaStatements('app.sagas'))) {
      expect(text).to.not.match(/\$\d|\?/);
      const used = [...new Set([...text.matchAll(/@p(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
      expect(used, text).to.deep.equal(used.map((_, i) => i + 1));
    }
  });

  it('PostgreSQL and SQLite: only $N parameters, numbered from 1 without gaps', () => {
    for (const text of [...Object.values(postgresSagaStatements('app.sagas')), ...Object.values(sqliteSagaStatements('oncebus_sagas'))]) {
      expect(text).to.not.match(/@p\d|\?/);
      const used = [...new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
      expect(used, text).to.deep.equal(used.map((_, i) => i + 1));
    }
  });

  it('SQL Server inserts only when no row has the correlation, checked under a key-range update lock, so a duplicate never fails the statement', () => {
    const { insert } = mssqlSagaStatements('app.sagas');
    expect(insert.replace(/\s+/g, ' ')).to.equal(
      'INSERT INTO app.sagas (saga_type, correlation_id, instance_id, state, version, created_at, updated_at, completed_at) ' +
        'SELECT @p1, @p2, @p3, @p4, 1, @p5, @p6, @p7 ' +
        'WHERE NOT EXISTS (SELECT 1 FROM app.sagas WITH (UPDLOCK, HOLDLOCK) WHERE saga_type = @p1 AND correlation_id = @p2)',
    );
  });

  it('PostgreSQL and SQLite insert with ON CONFLICT on the correlation key only (a clashing instance id still fails)', () => {
    for (const { insert } of [postgresSagaStatements('app.sagas'), sqliteSagaStatements('oncebus_sagas')]) {
      expect(insert).to.match(/VALUES \(\$1, \$2, \$3, \$4, 1, \$5, \$6, \$7\)\s+ON CONFLICT \(saga_type, correlation_id\) DO NOTHING$/);
    }
  });

  it('PostgreSQL locks the row it loads (FOR UPDATE); SQLite (one writer) and SQL Server do not', () => {
    const pg = postgresSagaStatements('app.sagas');
    expect(pg.findByCorrelation).to.match(/WHERE saga_type = \$1 AND correlation_id = \$2 FOR UPDATE$/);
    expect(pg.findById).to.match(/WHERE saga_type = \$1 AND instance_id = \$2 FOR UPDATE$/);
    for (const s of [sqliteSagaStatements('oncebus_sagas'), mssqlSagaStatements('app.sagas')]) {
      expect(s.findByCorrelation).to.not.match(/FOR UPDATE|UPDLOCK/);
      expect(s.findById).to.not.match(/FOR UPDATE|UPDLOCK/);
    }
  });

  it('PostgreSQL: a load that finds no row takes the correlation lock and reads again; one that finds a row does not, nor does any other dialect', async () => {
    const pg = postgresSagaStatements('app.sagas');
    expect(pg.lockCorrelation).to.match(/^SELECT pg_advisory_xact_lock\(\d+, hashtext\(\$1::text \|\| chr\(31\) \|\| \$2::text\)\)$/);
    expect(sqliteSagaStatements('oncebus_sagas').lockCorrelation).to.equal(undefined);
    expect(mssqlSagaStatements('app.sagas').lockCorrelation).to.equal(undefined);
    const persister = new SqlSagaPersister();
    const none = new FakeRecords('postgres');
    expect(await persister.findByCorrelation(uowOn(none), 'OrderFulfilment', 'o-1')).to.equal(undefined);
    expect(none.calls.map((c) => c.sql)).to.deep.equal([pg.findByCorrelation, pg.lockCorrelation, pg.findByCorrelation]);
    expect(none.calls.every((c) => c.params.join() === 'OrderFulfilment,o-1')).to.equal(true);
    const found = new FakeRecords('postgres');
    found.rows = [{ saga_type: 'OrderFulfilment', correlation_id: 'o-1', instance_id: SAGA.instanceId, state: Buffer.from([1]), version: '2', created_at: '1', updated_at: '1', completed_at: null }];
    expect((await persister.findByCorrelation(uowOn(found), 'OrderFulfilment', 'o-1'))?.version).to.equal(2);
    expect(found.calls).to.have.length(1);
    const sqlite = new FakeRecords('sqlite', 'oncebus_sagas');
    await persister.findByCorrelation(uowOn(sqlite), 'OrderFulfilment', 'o-1');
    expect(sqlite.calls).to.have.length(1);
  });

  it('updates and removes only from the expected version, in every dialect', () => {
    const text = (t: string) => t.replace(/\s+/g, ' ');
    expect(text(mssqlSagaStatements('app.sagas').update)).to.equal(
      'UPDATE app.sagas SET state = @p3, version = @p4, updated_at = @p5, completed_at = @p6 WHERE saga_type = @p1 AND instance_id = @p2 AND version = @p7',
    );
    expect(mssqlSagaStatements('app.sagas').remove).to.equal('DELETE FROM app.sagas WHERE saga_type = @p1 AND instance_id = @p2 AND version = @p3');
    for (const s of [postgresSagaStatements('app.sagas'), sqliteSagaStatements('oncebus_sagas')]) {
      expect(s.update).to.match(/WHERE saga_type = \$1 AND instance_id = \$2 AND version = \$7$/);
      expect(s.remove).to.match(/WHERE saga_type = \$1 AND instance_id = \$2 AND version = \$3$/);
    }
  });

  it('sends the values in the statements’ order, on the table the records name, the new version being expected + 1', async () => {
    const records = new FakeRecords('mssql', 'billing.sagas');
    const persister = new SqlSagaPersister();
    const uow = uowOn(records);
    expect(await persister.insert(uow, SAGA)).to.equal(true);
    expect(await persister.update(uow, { ...SAGA, completedAt: 1_732_000_001_000 }, 4)).to.equal(true);
    expect(await persister.remove(uow, SAGA.sagaType, SAGA.instanceId, 5)).to.equal(true);
    const [insert, update, remove] = records.calls;
    expect(insert!.sql).to.include('INSERT INTO billing.sagas');
    expect(insert!.params).to.deep.equal([SAGA.sagaType, SAGA.correlationId, SAGA.instanceId, SAGA.state, SAGA.createdAt, SAGA.updatedAt, null]);
    expect(update!.params).to.deep.equal([SAGA.sagaType, SAGA.instanceId, SAGA.state, 5, SAGA.updatedAt, 1_732_000_001_000, 4]);
    expect(remove!.params).to.deep.equal([SAGA.sagaType, SAGA.instanceId, 5]);
    records.count = 0;
    expect(await persister.update(uow, SAGA, 1), 'no row at that version').to.equal(false);
    expect(await persister.remove(uow, SAGA.sagaType, SAGA.instanceId, 1)).to.equal(false);
    expect(await persister.insert(uow, SAGA), 'the correlation exists').to.equal(false);
  });

  it('reads bigint columns the drivers answer as strings back as numbers, and the bytes as a plain Uint8Array', async () => {
    const records = new FakeRecords('mssql');
    records.rows = [
      {
        saga_type: SAGA.sagaType,
        correlation_id: SAGA.correlationId,
        instance_id: SAGA.instanceId,
        state: Buffer.from([0, 1, 255]),
        version: '3',
        created_at: '1732000000000',
        updated_at: '1732000000500',
        completed_at: null,
      },
    ];
    const found = await new SqlSagaPersister().findById(uowOn(records), SAGA.sagaType, SAGA.instanceId);
    expect(found).to.deep.equal({ ...SAGA, version: 3 });
    expect(Buffer.isBuffer(found!.state)).to.equal(false);
    records.rows = [{ ...records.rows[0], completed_at: '1732000009999' }];
    expect((await new SqlSagaPersister().findByCorrelation(uowOn(records), SAGA.sagaType, SAGA.correlationId))?.completedAt).to.equal(1_732_000_009_999);
    records.rows = [];
    expect(await new SqlSagaPersister().findByCorrelation(uowOn(records), SAGA.sagaType, 'none')).to.equal(undefined);
  });

  it('SQL Server: a duplicate key the insert still meets answers false; any other failure is thrown', async () => {
    const records = new FakeRecords('mssql');
    const persister = new SqlSagaPersister();
    records.count = new DuplicateKeyError('SQL Server (s): Violation of PRIMARY KEY [2627]', null);
    expect(await persister.insert(uowOn(records), SAGA)).to.equal(false);
    records.count = new Error('connection lost');
    const error = await persister.insert(uowOn(records), SAGA).then(() => null, (e: unknown) => e);
    expect((error as Error).message).to.equal('connection lost');
  });

  it('a unit of work without records (a store that cannot hold sagas) is a configuration error naming the stores that can', async () => {
    const error = await new SqlSagaPersister().findByCorrelation(uowOn(undefined), 'OrderFulfilment', 'o-1').then(() => null, (e: unknown) => e);
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_CONFIGURATION');
    const e = error as OncebusError;
    expect(e.message).to.include('memory:test');
    for (const store of ['SqliteStore', 'PostgresStore', 'MssqlStore', 'memory store']) expect(e.hint).to.include(store);
  });
});
