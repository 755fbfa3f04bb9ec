import { expect } from 'chai';
import { PostgresDatabase } from '../../../src/stores/postgres/postgres-database.js';
import { requireService } from '../../support/integration.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

// The batch queue begins with its take and ends with its delete in one round trip each (beginWith typed,
// executeAndCommit). What must hold: typed rows as a query types them, and a failing last statement
// leaves nothing of the transaction behind and no connection stuck in a failed transaction.
describe('PostgreSQL transactions begun and ended in one round trip', () => {
  const table = `oncebus_rt_${process.pid}`;
  let db: PostgresDatabase;

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    db = new PostgresDatabase({ connectionString: PG_URL, poolSize: 2 });
    await db.execute(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, body bytea NOT NULL)`);
  });

  after(async () => {
    await db?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await db?.close();
  });

  beforeEach(async () => {
    await db.execute(`TRUNCATE ${table}`);
    await db.execute(`INSERT INTO ${table} (body) VALUES ($1), ($2)`, [Buffer.from([0, 1, 2]), Buffer.from('two')]);
  });

  it('beginWith(typed) returns bytea as a Buffer, as query does; untyped leaves it as text', async () => {
    const typed = await db.beginWith<{ id: string; body: Buffer }>(`SELECT id, body FROM ${table} ORDER BY id FOR UPDATE`, [], true);
    expect(typed.rows.map((r) => Buffer.isBuffer(r.body))).to.deep.equal([true, true]);
    expect(typed.rows[0]!.body).to.deep.equal(Buffer.from([0, 1, 2]));
    expect(typed.rows).to.deep.equal(await db.query(`SELECT id, body FROM ${table} ORDER BY id`));
    await typed.transaction.rollback();
    const text = await db.beginWith<{ body: unknown }>(`SELECT body FROM ${table} ORDER BY id`, []);
    expect(text.rows[0]!.body).to.equal('\\x000102');
    await text.transaction.rollback();
  });

  it('executeAndCommit commits the statement with the transaction and counts its rows', async () => {
    const { transaction } = await db.beginWith<{ id: string }>(`SELECT id FROM ${table} ORDER BY id FOR UPDATE`, [], true);
    await transaction.execute(`INSERT INTO ${table} (body) VALUES ('x')`);
    const touched = await transaction.executeAndCommit!(`DELETE FROM ${table} WHERE body <> 'x'`, []);
    expect(touched).to.equal(2);
    expect(await db.query(`SELECT body FROM ${table}`)).to.deep.equal([{ body: Buffer.from('x') }]);
    await expectEnded(transaction);
  });

  it('a failing statement skips the COMMIT: the transaction rolls back whole, and the pool goes on', async () => {
    const { transaction } = await db.beginWith(`SELECT id FROM ${table} FOR UPDATE`, [], true);
    await transaction.execute(`DELETE FROM ${table}`);
    let failure: unknown;
    await transaction.executeAndCommit!(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [['not a number']]).catch((error: unknown) => (failure = error));
    expect(String(failure)).to.match(/invalid input syntax/);
    await expectEnded(transaction);
    // The delete before it was rolled back, its row locks are gone, and both pooled connections still work.
    const [a, b] = await Promise.all([db.begin(), db.begin()]);
    expect(await a.query(`SELECT id FROM ${table} FOR UPDATE NOWAIT`)).to.have.length(2);
    await Promise.all([a.commit(), b.commit()]);
  });
});

async function expectEnded(transaction: { commit(): Promise<void> }): Promise<void> {
  let error: unknown;
  await transaction.commit().catch((e: unknown) => (error = e));
  expect(String(error)).to.match(/already ended/);
}
