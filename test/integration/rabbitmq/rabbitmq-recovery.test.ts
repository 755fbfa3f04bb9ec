import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { OncebusError } from '../../../src/errors/errors.js';
import type { IQueue } from '../../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import { canControlRabbit, deleteQueues, rabbitAvailable, rabbitctl, rabbitUri } from '../../support/rabbitmq.js';

const tm = (id: string) => Object.assign(emptyTransportMessage(), { messageId: id, messageType: 'rmq.Test' });

/** Sends `count` messages, retrying each until the broker confirms it (a send during an outage fails typed, then is retried). */
async function produce(q: IQueue, count: number, confirmed: Set<string>, failures: string[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = `m-${i}`;
    for (;;) {
      try {
        await q.enqueue(tm(id), Buffer.from(id));
        confirmed.add(id);
        break;
      } catch (error) {
        failures.push(OncebusError.is(error) ? error.code : String(error));
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

/** Takes and acknowledges until every expected body was seen (duplicates allowed: at-least-once). */
async function consume(q: IQueue, expected: number, seen: Set<string>, stale: string[], timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (seen.size < expected && Date.now() < deadline) {
    let r: Awaited<ReturnType<IQueue['getMessage']>> = null;
    try {
      r = await q.getMessage();
    } catch {
      await new Promise((res) => setTimeout(res, 50));
      continue;
    }
    if (!r) continue;
    const body = Buffer.from(r.body).toString();
    try {
      await q.acknowledge(r.token);
      seen.add(body);
    } catch (error) {
      // A delivery of a channel that died: the broker redelivers it, so it is seen again later.
      stale.push(OncebusError.is(error) ? error.code : String(error));
    }
  }
}

describe('RabbitMQ transport recovery (real broker)', function () {
  this.timeout(90_000);
  const queues: string[] = [];
  let factory: RabbitMqQueueFactory;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    factory = new RabbitMqQueueFactory({ outageTimeoutMs: 20_000, reconnectDelayMs: 100, maxReconnectDelayMs: 1000 });
  });
  afterEach(() => deleteQueues(queues.splice(0)));
  after(() => factory?.close());

  function queue(query = ''): IQueue {
    const name = `rec-${randomUUID().slice(0, 8)}`;
    queues.push(name);
    return factory.create(rabbitUri(name, query));
  }

  describe('with control of the local broker', () => {
    before(function () {
      requireService(this, 'control of the local RabbitMQ (rabbitmqctl)', canControlRabbit());
    });
    after(() => {
      // Leave the broker running whatever happened.
      try {
        rabbitctl('start_app');
      } catch {
        // already running
      }
    });

    it('a broker restart in the middle of a stream loses no confirmed message; consumers resume by themselves', async () => {
      const producer = queue();
      const name = queues[queues.length - 1]!;
      const consumer = factory.create(rabbitUri(name));
      await (producer as unknown as { create(): Promise<void> }).create();
      const confirmed = new Set<string>();
      const seen = new Set<string>();
      const failures: string[] = [];
      const stale: string[] = [];
      const total = 300;
      const producing = produce(producer, total, confirmed, failures);
      const consuming = consume(consumer, total, seen, stale);
      await eventually(() => confirmed.size >= 50, '50 messages confirmed');
      rabbitctl('stop_app');
      await new Promise((r) => setTimeout(r, 1500));
      rabbitctl('start_app');
      await producing;
      await consuming;
      await consumer.close();
      expect(confirmed.size).to.equal(total);
      expect([...confirmed].filter((id) => !seen.has(id)), 'confirmed but never received').to.deep.equal([]);
      // Sends during the outage failed with a typed error and were retried, never vanished.
      for (const f of failures) expect(f).to.match(/^ONCEBUS_/);
    });

    it('publisher confirms: a message the broker refuses (nack) rejects the enqueue with a typed error', async () => {
      // A policy, not queue arguments, makes the queue refuse publishes, so the declaration still matches.
      rabbitctl('set_policy', 'oncebus-test-full', '^full-', '{"max-length":0,"overflow":"reject-publish"}', '--apply-to', 'queues');
      try {
        const name = `full-${randomUUID().slice(0, 8)}`;
        queues.push(name);
        const q = factory.create(rabbitUri(name));
        let error: unknown;
        await q.enqueue(tm('x'), Buffer.from('x')).catch((e: unknown) => {
          error = e;
        });
        expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_PUBLISH_REJECTED');
        // The confirm channel survives a nack: the next send to an ordinary queue is confirmed.
        await queue().enqueue(tm('y'), Buffer.from('y'));
      } finally {
        rabbitctl('clear_policy', 'oncebus-test-full');
      }
    });

    it('a dropped connection mid-stream: nothing lost, and no stale delivery is acknowledged on the new channel', async () => {
      const q = queue();
      const name = queues[queues.length - 1]!;
      const consumer = factory.create(rabbitUri(name, 'prefetch=50'));
      const confirmed = new Set<string>();
      const failures: string[] = [];
      await produce(q, 200, confirmed, failures);
      const first = await consumer.getMessage();
      expect(first).to.not.equal(null);
      rabbitctl('close_all_connections', 'test: dropped connection');
      // Take messages until the unacknowledged first one comes back: the consumer has resumed by itself on
      // a new channel, and the broker redelivered what the dead channel held ...
      const firstBody = Buffer.from(first!.body).toString();
      const seen = new Set<string>();
      const stale: string[] = [];
      let again: Awaited<ReturnType<IQueue['getMessage']>> = null;
      await eventually(async () => {
        const r = await consumer.getMessage().catch(() => null);
        if (!r) return false;
        if (Buffer.from(r.body).toString() === firstBody) {
          again = r;
          return true;
        }
        await consumer.acknowledge(r.token).then(
          () => seen.add(Buffer.from(r.body).toString()),
          () => stale.push('stale'),
        );
        return false;
      }, 'the first message is redelivered', 20_000);
      // ... so the old token must be refused, not acknowledged on the new channel.
      let error: unknown;
      await consumer.acknowledge(first!.token).catch((e: unknown) => {
        error = e;
      });
      expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_STALE_DELIVERY');
      await consumer.acknowledge(again!.token);
      seen.add(firstBody);
      await consume(consumer, 200, seen, stale);
      await consumer.close();
      expect([...confirmed].filter((id) => !seen.has(id)), 'lost').to.deep.equal([]);
      expect(seen.has(Buffer.from(first!.body).toString()), 'the unacknowledged first delivery came back').to.equal(true);
    });
  });

  it('a queue declared with other arguments gives a clear error, and the connection goes on working', async () => {
    const name = `mismatch-${randomUUID().slice(0, 8)}`;
    queues.push(name);
    const plain = factory.create(rabbitUri(name));
    await (plain as unknown as { create(): Promise<void> }).create();
    const priority = factory.create(rabbitUri(name, 'priority=10'));
    let error: unknown;
    await (priority as unknown as { create(): Promise<void> }).create().catch((e: unknown) => {
      error = e;
    });
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_QUEUE_MISMATCH');
    expect((error as Error).message).to.match(/x-max-priority/);
    const ok = queue();
    await ok.enqueue(tm('after'), Buffer.from('after'));
    const got = await ok.getMessage();
    expect(Buffer.from(got!.body).toString()).to.equal('after');
    await ok.acknowledge(got!.token);
  });

  it('connection refused at start: retries with back-off, then a typed error naming the broker, password hidden', async () => {
    const closed = new RabbitMqQueueFactory({ connectAttempts: 3, reconnectDelayMs: 50 });
    const started = Date.now();
    let error: unknown;
    await closed
      .create('rabbitmq://guest:hunter2@127.0.0.1:1/nowhere')
      .enqueue(tm('x'), Buffer.from('x'))
      .catch((e: unknown) => {
        error = e;
      });
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_BROKER_UNAVAILABLE');
    expect((error as Error).message).to.match(/cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1\/%2F.*after 3 attempt/);
    expect((error as Error).message).to.not.include('hunter2');
    expect(Date.now() - started, 'it backed off between attempts').to.be.at.least(100);
    await closed.close();
  });
});
