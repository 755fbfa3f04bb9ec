import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireService } from '../../support/integration.js';
import { rabbitAvailable } from '../../support/rabbitmq.js';
import { postgresAvailable } from '../../support/sql-subjects.js';

const HARNESS = fileURLToPath(new URL('../../chaos/http/main.js', import.meta.url));

/** A short run of the HTTP key harness (200 keyed requests, 5 kills of the API processes): its exit code, last line and log. */
async function runHarness(...extra: string[]): Promise<{ code: number | null; last: string; err: string }> {
  const args = [HARNESS, '--requests', '200', '--kills', '5', '--timeout', '120', ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, last: out.trim().split('\n').at(-1) ?? '', err };
}

// The harness never restarts PostgreSQL or RabbitMQ: it kills only its own API and downstream processes, so it
// runs beside other tests on shared servers (its tables in a schema of its own, its queues named per run).
describe('the HTTP Idempotency-Key crash harness, short run (node dist/test/chaos/http/main.js)', function () {
  // 15 to 30 s each on a 2-core machine (7.5 s of requests, the kills' restarts, the drain and the audit); 120 s
  // leaves room for a loaded one.
  this.timeout(150_000);
  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
  });

  for (const transport of ['rabbitmq', 'postgres'] as const) {
    it(`SIGKILLs the API processes mid-request and the downstream endpoint, and every key has one order, one command, one effect and one response, byte-identical to what the client got (PlaceOrder over ${transport})`, async function () {
      if (transport === 'rabbitmq') requireService(this, 'RabbitMQ', await rabbitAvailable());
      const { code, last, err } = await runHarness('--transport', transport);
      expect(last, err).to.match(/^http chaos: 200 requests, \d+ kills, 0 lost, 0 duplicated, 0 responses differing$/);
      expect(Number(/(\d+) kills/.exec(last)?.[1]), 'API processes were killed').to.be.at.least(5);
      // every key answered, the 2xx compared with the stored rows, and some retries were replays of a stored response
      expect(err).to.match(/client: 200 keys answered .* [1-9]\d* replays/);
      expect(err).to.match(/audit: 200 keys with orders \(0 not the client's\), 200 with effects, 200 key rows; (\d+) 2xx compared/);
      expect(code, err).to.equal(0);
    });
  }
});
