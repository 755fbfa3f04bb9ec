import { expect } from 'chai';
import pg from 'pg';
import { pgSupportsPipelines, runPipeline } from '../../../src/stores/postgres/postgres-pipeline.js';
import { pgClientForSuite } from '../../support/pg-client.js';

// Pipelines drive pg's undocumented Connection (the protocol methods its Query uses, its named-statement
// bookkeeping). This fails the day a pg release changes them; oncebus then runs statement by statement
// through pg's public API, which must give the same outcomes as a pipeline — checked here on a real server.
describe('the pg seam under pipelines (PostgreSQL)', () => {
  const pgClient = pgClientForSuite();

  it('finds in the installed pg what a pipeline drives', () => {
    expect(pgSupportsPipelines()).to.equal(true);
  });

  it('refuses a pg whose Connection lacks the named-statement bookkeeping or a protocol method', () => {
    class Renamed {
      readonly parsedStatements = {};
    }
    for (const m of ['parse', 'bind', 'describe', 'execute', 'flush', 'sync']) (Renamed.prototype as unknown as Record<string, unknown>)[m] = () => undefined;
    expect(pgSupportsPipelines({ Connection: Renamed })).to.equal(false);
    class NoSync extends pg.Connection {}
    (NoSync.prototype as unknown as Record<string, unknown>).sync = undefined;
    expect(pgSupportsPipelines({ Connection: NoSync })).to.equal(false);
  });

  for (const pipelines of [true, false]) {
    it(`${pipelines ? 'as one pipeline' : 'one statement at a time (the fallback)'}: the same tags and rows (as text), and an error rejects the steps after it`, async () => {
      const steps = [
        { text: 'BEGIN' },
        { text: 'SELECT $1::int + 1 AS n, $2::text AS t', values: [41, 'x'], name: `oncebus_seam_${pipelines}` },
        { text: 'COMMIT', flush: true },
      ];
      const results = await Promise.all(runPipeline(pgClient.current(), steps, pipelines));
      expect(results.map((r) => r.command.split(' ')[0])).to.deep.equal(['BEGIN', 'SELECT', 'COMMIT']);
      expect(results[1]!.rows).to.deep.equal([{ n: '42', t: 'x' }]);

      const failing = runPipeline(pgClient.current(), [{ text: 'BEGIN' }, { text: 'SELECT 1/0' }, { text: 'COMMIT' }], pipelines);
      const outcomes = await Promise.allSettled(failing);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'rejected']);
      await pgClient.current().query('ROLLBACK');
    });

    it(`${pipelines ? 'as one pipeline' : 'one statement at a time (the fallback)'}: a typed step's rows as pg's own query types them, and each step's row count`, async () => {
      const sql = "SELECT $1::int AS n, $2::bigint AS big, $3::bytea AS b, NULL::text AS nothing FROM generate_series(1, 2)";
      const params = [7, '9007199254740993', Buffer.from([1, 2, 255])];
      const [lead, typed] = await Promise.all(runPipeline(pgClient.current(), [{ text: 'BEGIN' }, { text: sql, values: params, typed: true }, { text: 'ROLLBACK' }], pipelines));
      expect(lead!.rowCount).to.equal(0);
      expect(typed!.rowCount).to.equal(2);
      expect(typed!.rows).to.deep.equal((await pgClient.current().query(sql, params)).rows);
      expect(Buffer.isBuffer(typed!.rows[0]!.b)).to.equal(true);
    });
  }
});
