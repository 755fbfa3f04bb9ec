import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/errors.js';
import { HandleLease, refuseTransactionControl } from '../../../src/stores/sql/handle-lease.js';

const refused = (sql: string): boolean => {
  try {
    refuseTransactionControl(sql);
    return false;
  } catch (error) {
    return OncebusError.is(error) && error.code === 'ONCEBUS_TRANSACTION_MISUSE';
  }
};

describe('the guard on a handler’s transaction', () => {
  it('refuses statements that end or begin the transaction oncebus owns', () => {
    for (const sql of ['COMMIT', ' commit work', 'ROLLBACK', 'rollback;', 'BEGIN', 'START TRANSACTION', 'END', 'ABORT', "PREPARE TRANSACTION 'x'", 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE']) {
      expect(refused(sql), sql).to.equal(true);
    }
  });

  it('allows savepoints of the handler’s own and every ordinary statement', () => {
    for (const sql of ['SAVEPOINT mine', 'ROLLBACK TO SAVEPOINT mine', 'rollback to mine', 'RELEASE SAVEPOINT mine', 'INSERT INTO t VALUES (1)', 'SELECT commit FROM t', 'UPDATE ends SET x = 1']) {
      expect(refused(sql), sql).to.equal(false);
    }
  });

  it('refuses every use once the unit of work has ended, and counts statements while they run', async () => {
    const lease = new HandleLease();
    let finish!: () => void;
    const running = lease.track(new Promise<void>((resolve) => (finish = resolve)));
    expect(lease.inFlight).to.equal(1);
    finish();
    await running;
    expect(lease.inFlight).to.equal(0);
    lease.check();
    lease.open = false;
    expect(() => lease.check()).to.throw(/transaction has ended/);
  });
});
