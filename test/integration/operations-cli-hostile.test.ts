import { expect } from 'chai';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireService } from '../support/integration.js';
import { cli, connectionRecorder, type OpsBench, openOpsBench } from '../support/ops-bench.js';
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

describe('npx oncebus errors list|groups|show: what a failed message holds reaches the terminal inert and without secrets', function () {
  this.timeout(30_000);
  let bench: OpsBench;

  beforeEach(async () => {
    bench = await openOpsBench();
  });
  afterEach(async () => bench.dispose());

  /** Raw C0 controls but newline, DEL and C1 controls (a terminal's escape sequences), and bidi overrides. */
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the check
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('escape sequences in the type, failure, header and stack: escaped in text and in --json', async () => {
    await bench.forge({
      messageId: 'esc-1',
      messageType: 'shop.\u001b]0;owned\u0007Place\u009b31mOrder\u202e',
      failureMessages: ['2026-12-03T10:00:00.000Z shop Error: \u001b[2J\u001b[1;1Hall good\r'],
      headers: { 'x-note': '\u001b[31mred\u001b[0m', 'oncebus-exception-stack': 'Error\n    at \u001b[8mhidden' },
    });
    expect((await bench.ingest()).code).to.equal(0);
    const id = (JSON.parse((await bench.errors('list', '--json')).out) as { messages: { id: string }[] }).messages[0]!.id;
    for (const args of [['list'], ['list', '--json'], ['groups'], ['groups', '--json'], ['show', id], ['show', id, '--json']]) {
      const answer = await bench.errors(...args);
      expect(answer.code, `${args.join(' ')}: ${answer.err}`).to.equal(0);
      expect(RAW_CONTROL.test(answer.out), `errors ${args.join(' ')} wrote a raw control character`).to.equal(false);
      expect(answer.out, args.join(' ')).to.contain('\\u001b');
    }
    const json = JSON.parse((await bench.errors('show', id, '--json')).out) as { messageType: string; headers: Record<string, string> };
    expect(json.messageType, 'JSON still reads back as the text').to.equal('shop.\u001b]0;owned\u0007Place\u009b31mOrder\u202e');
    expect(json.headers['x-note']).to.equal('\u001b[31mred\u001b[0m');
  });

  it('a password in a failure: masked in errors groups (the group title), list and show', async () => {
    await bench.forge({ messageId: 'leaky', failureMessages: ['2026-12-03T10:00:00.000Z shop Error: cannot reach postgres://app:s3cret@db/orders'], headers: { 'x-db': 'Server=db;Password=s3cret' } });
    await bench.ingest();
    for (const args of [['groups'], ['groups', '--json'], ['list', '--json'], ['show', 'leaky'], ['show', 'leaky', '--json']]) {
      const answer = await bench.errors(...args);
      expect(answer.out, args.join(' ')).not.to.contain('s3cret');
    }
    expect((await bench.errors('groups')).out).to.contain('postgres://app:***@db/orders');
  });
});
