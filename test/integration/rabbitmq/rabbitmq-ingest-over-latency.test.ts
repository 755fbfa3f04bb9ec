import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { run } from '../../../src/operations/cli/main.js';
import { requireService } from '../../support/integration.js';
import { type LatencyProxy, startLatencyProxy } from '../../support/latency-proxy.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from '../../support/rabbitmq.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npx oncebus errors ingest (one shot) from a broker that is not on localhost', function () {
  this.timeout(30_000);
  const queue = `ops-latency-${randomUUID().slice(0, 8)}-error`;
  let proxy: LatencyProxy;
  let dir: string;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    const broker = new URL(RABBITMQ_URL);
    // 25 ms each way (a broker in another region): a consumer's set-up (channel, qos, declare, consume, the
    // first deliveries) outlasts a 100 ms receive. Here, from about 15 ms on, the drain took nothing.
    proxy = await startLatencyProxy({ host: broker.hostname, port: Number(broker.port || 5672) }, 25);
    dir = mkdtempSync(join(tmpdir(), 'oncebus-ops-latency-'));
  });
  after(async () => {
    await proxy?.close();
    await deleteQueues([queue]).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes every message in the error queue, not nothing because the first receive came back empty', async () => {
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: true });
      for (let i = 0; i < 5; i++) {
        const tm = { ...emptyTransportMessage(), messageId: randomUUID(), messageType: 'shop.PlaceOrder', recipientInboxWorkQueueUri: 'rabbitmq://127.0.0.1/orders' };
        tm.failureMessages.push(`${new Date().toISOString()} orders Error: warehouse offline ${i}`);
        channel.sendToQueue(queue, Buffer.from(serializeTransportMessage(tm)), { persistent: true });
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const broker = new URL(RABBITMQ_URL);
    const far = `rabbitmq://${broker.username}:${broker.password}@127.0.0.1:${proxy.port}`;
    const ingested = await cli('errors', 'ingest', `${far}/${queue}`, '--transport', far, '--store', `sqlite:${join(dir, 'ops.db')}`, '--json');
    expect(ingested.code, ingested.err).to.equal(0);
    expect(JSON.parse(ingested.out).new, ingested.out).to.equal(5);
    const listed = JSON.parse((await cli('errors', 'list', '--store', `sqlite:${join(dir, 'ops.db')}`, '--json')).out) as { total: number };
    expect(listed.total).to.equal(5);
  });
});
