import { expect } from 'chai';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireService } from '../support/integration.js';
import { cli, connectionRecorder } from '../support/ops-bench.js';
import { RABBITMQ_URL, rabbitAvailable } from '../support/rabbitmq.js';
import { PG_URL, postgresAvailable } from '../support/sql-subjects.js';

// What an operator types is checked before it reaches SQL, a broker or the terminal.
describe('npx oncebus errors: a --schema that is not a plain identifier', function () {
  this.timeout(30_000);

  it('is refused (exit 2, saying what a schema may hold) and never executed', async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    const table = `pwned_${Date.now()}`;
    const answer = await cli('errors', 'list', '--store', PG_URL, '--schema', `x; CREATE TABLE public.${table} (a int); --`);
    expect(answer.code, answer.err).to.equal(2);
    expect(answer.err).to.contain('--schema').and.to.contain('not a valid SQL identifier');
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM information_schema.tables WHERE table_name = $1', [table]);
      expect(found.rowCount, 'the statement pasted into --schema ran').to.equal(0);
    } finally {
      await client.end();
    }
  });
});

describe('npx oncebus errors ingest: a broker that does not let it in is a failure, not an empty queue', function () {
  this.timeout(60_000);
  let dir: string;
  let ops: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-ingest-'));
    ops = ['--store', `sqlite:${join(dir, 'ops.db')}`];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a wrong password: exit 1, saying the broker refused, the password not shown', async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    const broker = new URL(RABBITMQ_URL);
    const answer = await cli('errors', 'ingest', `rabbitmq://${broker.host}/ingest-refused-error`, '--transport', `rabbitmq://${broker.username}:wrong-s3cret@${broker.host}`, ...ops);
    expect(answer.code, answer.out).to.equal(1);
    expect(answer.out).not.to.contain('ingested');
    expect(answer.err).to.match(/^error: .*(ACCESS_REFUSED|refused|authenticat)/is);
    expect(answer.err).not.to.contain('wrong-s3cret');
  });

  it('nothing listening where the broker should be: exit 1, saying it cannot connect', async () => {
    const closed = await connectionRecorder();
    await closed.close();
    const answer = await cli('errors', 'ingest', `rabbitmq://127.0.0.1:${closed.port}/orders-error`, '--transport', `rabbitmq://ops:s3cret@127.0.0.1:${closed.port}`, ...ops);
    expect(answer.code, answer.out).to.equal(1);
    expect(answer.out).not.to.contain('ingested');
    expect(answer.err).to.contain('cannot connect').and.not.to.contain('s3cret');
  });
});
