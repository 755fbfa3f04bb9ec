import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { isCreateQueue, isCountQueue, type IQueue, type ReceivedMessage } from '../../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import { canControlRabbit, deleteQueues, rabbitAvailable, rabbitctl, rabbitUri } from '../../support/rabbitmq.js';
import { codeOf, consume, envelope, nextEvent, type Produced, produce } from './rabbitmq-stream.js';

/** A receive must stay prompt through an outage (it waits ≤ 100 ms for a delivery, never for the broker). */
const PROMPT_TAKE_MS = 1000;

// Each test stops or cuts the real broker; start_app in afterEach leaves it running whatever happened.
describe('RabbitMQ transport recovery (real broker restarted and cut)', function () {
  this.timeout(90_000);
  const names: string[] = [];
  let factory: RabbitMqQueueFactory;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    requireService(this, 'control of the local RabbitMQ (rabbitmqctl)', canControlRabbit());
    factory = new RabbitMqQueueFactory({ outageTimeoutMs: 20_000, reconnectDelayMs: 100, maxReconnectDelayMs: 1000 });
  });
  afterEach(async () => {
    await rabbitctl('start_app'); // a no-op when running
    await deleteQueues(names.splice(0));
  });
  after(() => factory?.close());

  function open(f: RabbitMqQueueFactory, name: string, query = ''): IQueue {
    if (!names.includes(name)) names.push(name);
    return f.create(rabbitUri(name, query));
  }
  const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  it('a broker restart mid-stream: every send resolves or rejects typed, every confirmed message is received, consumers resume', async () => {
    const name = fresh('restart');
    const producer = open(factory, name);
    const consumer = open(factory, name);
    if (isCreateQueue(producer)) await producer.create();
    const total = 300;
    const progress: Produced = { confirmed: new Set(), rejections: [] };
    const producing = produce(producer, total, progress);
    const consuming = consume(consumer, (c) => c.seen.size >= total);
    const lost = nextEvent(factory.events, 'disconnected');
    const back = nextEvent(factory.events, 'connected');
    try {
      await eventually(() => progress.confirmed.size >= 50, 'a stream under way');
      await rabbitctl('stop_app'); // returns once the broker has stopped and closed every connection
      await lost;
      await rabbitctl('start_app');
      const reconnected = await back;
      expect(reconnected.generation).to.be.greaterThan(1);
      const produced = await producing;
      const consumed = await consuming;
      expect(produced.confirmed.size).to.equal(total);
      expect([...produced.confirmed].filter((id) => !consumed.seen.has(id)), 'confirmed but never received').to.deep.equal([]);
      // The outage is shorter than outageTimeoutMs: sends in flight or started during it waited for the
      // reconnect (a send whose confirm was lost is published again) instead of failing.
      expect(produced.rejections, 'sends rejected during a short outage').to.deep.equal([]);
      for (const code of consumed.settleErrors) expect(code).to.equal('ONCEBUS_STALE_DELIVERY');
      for (const code of consumed.takeErrors) expect(code).to.match(/^ONCEBUS_/);
      expect(consumed.slowestTakeMs, 'getMessage stayed prompt through the restart').to.be.below(PROMPT_TAKE_MS);
    } finally {
      await consumer.close();
    }
  });

  it('an outage longer than outageTimeoutMs: a send rejects with BrokerUnavailableError in time, a receive answers promptly', async () => {
    const short = new RabbitMqQueueFactory({ outageTimeoutMs: 1500, reconnectDelayMs: 100, maxReconnectDelayMs: 500 });
    const name = fresh('outage');
    const q = open(short, name);
    try {
      await q.enqueue(envelope('before'), Buffer.from('before'));
      expect(await q.getMessage().then((r) => r && Buffer.from(r.body).toString())).to.equal('before'); // consumer started
      const lost = nextEvent(short.events, 'disconnected');
      await rabbitctl('stop_app');
      await lost;
      const started = Date.now();
      let error: unknown;
      await q.enqueue(envelope('during'), Buffer.from('during')).catch((e: unknown) => (error = e));
      const waited = Date.now() - started;
      expect(codeOf(error)).to.equal('ONCEBUS_BROKER_UNAVAILABLE');
      expect(waited, 'waited for the reconnect, up to the timeout').to.be.within(1000, 5000);
      const t = Date.now();
      const during = await q.getMessage().catch(() => null);
      expect(during).to.equal(null);
      expect(Date.now() - t).to.be.below(PROMPT_TAKE_MS);
      const back = nextEvent(short.events, 'connected');
      await rabbitctl('start_app');
      await back;
      // The rejected send was not stored; a send after the reconnect is, and the consumer resumed by itself.
      await q.enqueue(envelope('after'), Buffer.from('after'));
      const bodies: string[] = [];
      await eventually(async () => {
        const r = await q.getMessage().catch(() => null);
        if (r) {
          bodies.push(Buffer.from(r.body).toString());
          await q.acknowledge(r.token);
        }
        return bodies.includes('after');
      }, 'the message sent after the outage');
      // 'before' was never acknowledged: the broker may redeliver it; 'during' must not exist.
      expect(bodies).to.not.include('during');
      await q.close();
    } finally {
      await short.close();
    }
  });

  it('a dropped connection mid-stream: nothing lost, the consumer resumes, a dead channel delivery is refused, not acknowledged anew', async () => {
    const name = fresh('dropped');
    const producer = open(factory, name);
    const consumer = open(factory, name, 'prefetch=50');
    const total = 200;
    const produced = await produce(producer, total);
    const first = await takeOne(consumer);
    const firstBody = Buffer.from(first.body).toString();
    const back = nextEvent(factory.events, 'connected');
    await rabbitctl('close_all_connections', 'oncebus test: dropped connection');
    await back;
    // The unacknowledged first delivery comes back on the consumer's new channel ...
    const stream = consume(consumer, (c) => c.seen.size >= total);
    const consumed = await stream;
    // ... while its old token is refused without being sent on the new channel.
    let error: unknown;
    await consumer.acknowledge(first.token).catch((e: unknown) => (error = e));
    expect(codeOf(error)).to.equal('ONCEBUS_STALE_DELIVERY');
    expect(consumed.seen.has(firstBody), 'the unacknowledged first delivery was redelivered').to.equal(true);
    expect([...produced.confirmed].filter((id) => !consumed.seen.has(id)), 'lost').to.deep.equal([]);
    // Every acknowledgement on the new channel held: the queue is empty and nothing comes back.
    if (isCountQueue(consumer)) await eventually(async () => (await consumer.count()) === 0, 'an empty queue');
    await consumer.close();
    const again = open(factory, name);
    expect(await again.getMessage()).to.equal(null);
    await again.close();
  });
});

async function takeOne(q: IQueue): Promise<ReceivedMessage> {
  let r: ReceivedMessage | null = null;
  await eventually(async () => (r = await q.getMessage()) !== null, 'a delivery');
  return r!;
}
