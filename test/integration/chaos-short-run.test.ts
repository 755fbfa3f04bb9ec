import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireService } from '../support/integration.js';
import { canControlPostgres } from '../support/postgres-control.js';
import { canControlRabbit, rabbitAvailable } from '../support/rabbitmq.js';
import { postgresAvailable } from '../support/sql-subjects.js';

const HARNESS = fileURLToPath(new URL('../chaos/main.js', import.meta.url));
/** The saga part of every short run: 40 instances, 10 of them ending by their timeout. */
const SAGAS = 40;

/** A short harness run (400 messages, 100 sessions, 40 sagas, 16 kills) with `extra` options: its exit code, last line and log. */
async function runHarness(...extra: string[]): Promise<{ code: number | null; last: string; err: string }> {
  const args = [HARNESS, ...extra, '--messages', '400', '--sessions', '100', '--sagas', String(SAGAS), '--workers', '3', '--kills', '16', '--timeout', '180', '--no-services'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, last: out.trim().split('\n').at(-1) ?? '', err };
}

const LAST_LINE = new RegExp(`^chaos: 400 messages, 100 sessions, ${SAGAS} sagas, \\d+ kills, 0 lost, 0 duplicated effects$`);

/** Every saga instance completed exactly once with its planned final state (a quarter by their timeout), and no saga row left. */
function expectSagasAudited(err: string): void {
  const figures = new RegExp(`sagas: ${SAGAS}/${SAGAS} instances completed exactly once \\(${(SAGAS * 3) / 4} by both events, ${SAGAS / 4} by their timeout;`);
  expect(err, 'the saga audit').to.match(figures).and.include('wrong final state: 0;').and.include('lost 0, completed twice or more 0; saga rows left: 0');
  // Some events were fed before their start: the not-found policy 'retry' held them until it ran.
  expect(err).to.match(new RegExp(`fed ${SAGAS} saga instances \\(${SAGAS / 4} to end by their timeout\\), [1-9]\\d* events before their start`));
}

describe('the crash harness, short run (npm run chaos)', function () {
  this.timeout(240_000);
  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    requireService(this, 'PostgreSQL', await postgresAvailable());
    requireService(this, 'control of the local RabbitMQ and PostgreSQL', canControlRabbit() && canControlPostgres());
  });

  it('SIGKILLs workers, the session producer and the operations processes at random and at fault points, restarts the broker and the database, and loses and doubles nothing (sagas included)', async () => {
    const { code, last, err } = await runHarness();
    expect(last, err).to.match(LAST_LINE);
    expectSagasAudited(err);
    expect(err, 'every order placed through a session, none sent without its row').to.match(/sessions placed 100\/100 \(the producer killed [1-9]\d* times\)/).and.include("Work without its order's row: 0");
    expect(Number(/(\d+) kills/.exec(last)?.[1]), 'workers were killed').to.be.at.least(5);
    expect(err).to.include('restarting the broker').and.include('restarting PostgreSQL');
    // The event goes out through the broker's exchange, so the audit above covers its pub/sub.
    expect(err).to.include('publishes: through RabbitMQ exchanges');
    // The poison messages: ingested and returned by operations processes killed along the way, each one record, returned.
    expect(err, 'the operations phase').to.match(/operations: (\d+)\/\1 failed messages ingested and returned, each one record \(the ingestor killed [1-9]\d* times, the returner \d+/);
    expect(err).to.include('other records: none').and.include('messages left in the error queue: 0');
    expect(code, err).to.equal(0);
  });

  it('on PostgreSQL queue tables taken in batches: the same kills, the database restarted, the operations phase, and nothing lost or doubled (sagas included)', async () => {
    const { code, last, err } = await runHarness('--transport', 'postgres', '--batch', '16');
    expect(last, err).to.match(LAST_LINE);
    expectSagasAudited(err);
    expect(err).to.include('queues: PostgreSQL tables, batches of 16').and.include('restarting PostgreSQL').and.include('no broker restart').and.not.include('restarting the broker');
    expect(err, 'every order placed through a session, none sent without its row').to.match(/sessions placed 100\/100 \(the producer killed [1-9]\d* times\)/).and.include("Work without its order's row: 0");
    expect(Number(/(\d+) kills/.exec(last)?.[1]), 'workers were killed').to.be.at.least(5);
    // The CLI reaches the error queue's table with --transport <database> --transport-schema <the run's>.
    expect(err, 'the operations phase').to.match(/operations: (\d+)\/\1 failed messages ingested and returned, each one record \(the ingestor killed [1-9]\d* times, the returner \d+/);
    expect(err).to.include('other records: none').and.include('messages left in the error queue: 0').and.include('left in queues: {}');
    expect(code, err).to.equal(0);
  });
});

// No server: every queue, the idempotence rows, the subscriptions, the sessions' rows and the business tables
// are in one SQLite file, so this run needs neither RabbitMQ nor PostgreSQL.
describe('the crash harness on one SQLite file, short run (npm run chaos -- --transport sqlite)', function () {
  this.timeout(240_000);

  it('on SQLite queue tables taken in batches: the same kills, every holder of the file killed at once, the operations phase, and nothing lost or doubled (sagas included)', async () => {
    const { code, last, err } = await runHarness('--transport', 'sqlite', '--batch', '16');
    expect(last, err).to.match(LAST_LINE);
    expectSagasAudited(err);
    expect(err).to.match(/queues: SQLite tables in \S+chaos\.db, batches of 16/).and.include('no broker restart');
    expect(err).to.not.include('restarting the broker').and.not.include('restarting PostgreSQL');
    // The embedded database's restart: the workers and the producer SIGKILLed in one go, the WAL left to the next opener.
    expect(err).to.include('restarting SQLite (every process holding the file killed at once)').and.match(/SQLite: [1-9]\d* processes killed at once, a \d+-byte WAL left; reopened/);
    expect(err, 'every order placed through a session, none sent without its row').to.match(/sessions placed 100\/100 \(the producer killed [1-9]\d* times\)/).and.include("Work without its order's row: 0");
    expect(Number(/(\d+) kills/.exec(last)?.[1]), 'workers were killed').to.be.at.least(5);
    // The CLI reaches the error queue's table with --transport sqlite:<the run's file>.
    expect(err, 'the operations phase').to.match(/operations: (\d+)\/\1 failed messages ingested and returned, each one record \(the ingestor killed [1-9]\d* times, the returner \d+/);
    expect(err).to.include('other records: none').and.include('messages left in the error queue: 0').and.include('left in queues: {}');
    expect(code, err).to.equal(0);
  });
});
