import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/errors.js';
import type { SqlTransaction } from '../../../src/stores/sql/sql-database.js';
import { SqlUnitOfWork } from '../../../src/stores/sql/sql-unit-of-work.js';

/** A transaction that records the statements it is given and answers each after `delay`. */
function fakeTransaction(delay = 0): SqlTransaction & { ran: string[] } {
  const ran: string[] = [];
  const after = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), delay));
  return {
    ran,
    native: null,
    handle: () => null,
    query: async (sql) => {
      ran.push(sql);
      return after([]);
    },
    execute: async (sql) => {
      ran.push(sql);
      return after(1);
    },
    commit: async () => {},
    rollback: async () => {},
  };
}

const misuse = (error: unknown): boolean => OncebusError.is(error) && error.code === 'ONCEBUS_TRANSACTION_MISUSE';

describe("a SQL unit of work's records (the add-ons' statements on its transaction)", () => {
  it('exist only where the dialect keeps add-on tables, and name them as given', () => {
    expect(new SqlUnitOfWork(fakeTransaction(), 'db').records).to.equal(undefined);
    const uow = new SqlUnitOfWork(fakeTransaction(), 'db', undefined, { dialect: 'postgres', tables: { sagas: 'app.sagas', http_keys: 'app.http_keys' } });
    expect(uow.records?.dialect).to.equal('postgres');
    expect(uow.records?.table('sagas')).to.equal('app.sagas');
    expect(() => uow.records?.table('constructor' as 'sagas')).to.throw(/keeps no table 'constructor'/);
  });

  it('run on the transaction, counted while they run (a timed-out handler’s statement is cancelled), and refuse transaction control', async () => {
    const tx = fakeTransaction(20);
    const uow = new SqlUnitOfWork(tx, 'db', undefined, { dialect: 'sqlite', tables: { sagas: 'oncebus_sagas', http_keys: 'oncebus_http_keys' } });
    const running = uow.records!.execute('DELETE FROM oncebus_sagas');
    expect(uow.lease.inFlight).to.equal(1);
    expect(await running).to.equal(1);
    expect(uow.lease.inFlight).to.equal(0);
    expect(tx.ran).to.deep.equal(['DELETE FROM oncebus_sagas']);
    for (const sql of ['COMMIT', 'ROLLBACK', 'BEGIN']) expect(misuse(await uow.records!.execute(sql).then(() => null, (e: unknown) => e)), sql).to.equal(true);
    expect(tx.ran).to.have.length(1);
  });

  it('are refused once the unit of work has ended or its handler was given up', async () => {
    for (const end of ['commit', 'rollback', 'abandon'] as const) {
      const tx = fakeTransaction();
      const uow = new SqlUnitOfWork(tx, 'db', undefined, { dialect: 'mssql', tables: { sagas: 'app.sagas', http_keys: 'app.http_keys' } });
      await uow[end]();
      expect(misuse(await uow.records!.query('SELECT 1').then(() => null, (e: unknown) => e)), end).to.equal(true);
      expect(tx.ran, end).to.deep.equal([]);
    }
  });
});
