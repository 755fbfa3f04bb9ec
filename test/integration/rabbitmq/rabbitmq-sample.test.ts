import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireService } from '../../support/integration.js';
import { rabbitAvailable } from '../../support/rabbitmq.js';
import { postgresAvailable } from '../../support/sql-subjects.js';

const SAMPLE = fileURLToPath(new URL('../../../samples/rabbitmq-request-reply/main.js', import.meta.url));

describe('the RabbitMQ request/reply sample (npm run sample:rabbitmq)', function () {
  this.timeout(60_000);
  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    requireService(this, 'PostgreSQL', await postgresAvailable());
  });

  it('gets a reply for every request, across two processes', async () => {
    const child = spawn(process.execPath, [SAMPLE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).to.equal(0);
    expect(out.match(/client: quote for sku-\d: \d+/g)).to.have.length(5);
    expect(out).to.include('5 requests, 5 replies: done.');
  });
});
