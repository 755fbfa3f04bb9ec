import { expect } from 'chai';
import { ServiceBusClient } from '@azure/service-bus';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { OncebusError } from '../../../src/errors/errors.js';
import type { IQueue } from '../../../src/transport/queue.js';
import { type AzureServiceBusQueue, AzureServiceBusQueueFactory } from '../../../src/transports/azuresb/index.js';
import { startAsb } from '../../support/asb.js';
import { eventually } from '../../support/latch.js';

const tm = (id: string, ignoreTillDate = 0) => Object.assign(emptyTransportMessage(), { messageId: id, messageType: 'asb.Test', ignoreTillDate });
const text = (b: Uint8Array) => Buffer.from(b).toString();

async function take(q: IQueue, timeoutMs = 10_000) {
  let got: Awaited<ReturnType<IQueue['getMessage']>> = null;
  await eventually(async () => (got = await q.getMessage()) !== null, 'a message', timeoutMs);
  return got!;
}

describe('Azure Service Bus transport (real SDK, AMQP test broker)', function () {
  this.timeout(60_000);
  let asb: Awaited<ReturnType<typeof startAsb>>;
  before(async () => {
    asb = await startAsb();
  });
  after(() => asb.stop());

  it('a lost lock: settling the stale token fails typed, and the message comes back', async () => {
    const name = asb.queue({ lockDurationMs: 60_000 });
    const q = asb.factory.create(`azuresb://test/${name}`);
    await q.enqueue(tm('lost'), Buffer.from('lost'));
    const first = await take(q);
    asb.broker.expireLocks();
    let error: unknown;
    await q.acknowledge(first.token).catch((e: unknown) => {
      error = e;
    });
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_LOCK_LOST');
    const again = await take(q);
    expect(text(again.body)).to.equal('lost');
    await q.acknowledge(again.token);
    expect(asb.broker.queues.get(name)!.depth).to.equal(0);
    await q.close();
  });

  it('a dropped connection mid-stream: every message is received, all completed in the end', async () => {
    const name = asb.queue({ lockDurationMs: 1000 });
    const q = asb.factory.create(`azuresb://test/${name}`);
    for (let i = 0; i < 30; i++) await q.enqueue(tm(`d-${i}`), Buffer.from(`d-${i}`));
    const seen = new Set<string>();
    let dropped = false;
    await eventually(
      async () => {
        const r = await q.getMessage().catch(() => null);
        if (r) {
          await q.acknowledge(r.token).then(
            () => seen.add(text(r.body)),
            () => undefined, // a lock lost with the connection: the message comes back
          );
        }
        if (!dropped && seen.size >= 10) {
          dropped = true;
          asb.broker.dropAllConnections();
        }
        return seen.size === 30;
      },
      'all 30 received',
      40_000,
    );
    await eventually(() => asb.broker.queues.get(name)!.depth === 0, 'nothing left on the broker');
    await q.close();
  });

  it('scheduled delivery: a message with a future ignoreTillDate is withheld until then', async () => {
    const name = asb.queue();
    const q = asb.factory.create(`azuresb://test/${name}`);
    const due = Date.now() + 800;
    await q.enqueue(tm('later', due), Buffer.from('later'));
    expect(await q.getMessage(), 'not before it is due').to.equal(null);
    const got = await take(q);
    expect(Date.now()).to.be.at.least(due);
    expect(text(got.body)).to.equal('later');
    await q.acknowledge(got.token);
    await q.close();
  });

  it('max delivery count moves a message to the dead-letter queue, with the reason readable there', async () => {
    const name = asb.queue({ maxDeliveryCount: 2 });
    const q = asb.factory.create(`azuresb://test/${name}`);
    await q.enqueue(tm('poison'), Buffer.from('poison'));
    await q.release((await take(q)).token);
    await q.release((await take(q)).token);
    const dlq = asb.factory.create(`azuresb://test/${name}/$deadletterqueue`) as AzureServiceBusQueue;
    const dead = await take(dlq);
    expect(text(dead.body)).to.equal('poison');
    const message = (dead.token as { message: { deadLetterReason?: string } }).message;
    expect(message.deadLetterReason).to.equal('MaxDeliveryCountExceeded');
    await dlq.acknowledge(dead.token);
    await q.close();
    await dlq.close();
  });

  it('dead-letters on request with a reason', async () => {
    const name = asb.queue();
    const q = asb.factory.create(`azuresb://test/${name}`) as AzureServiceBusQueue;
    await q.enqueue(tm('bad'), Buffer.from('bad'));
    await q.deadLetter((await take(q)).token, 'Unreadable', 'not an envelope');
    const dlq = asb.factory.create(`azuresb://test/${name}/$deadletterqueue`);
    const dead = await take(dlq);
    const message = (dead.token as { message: { deadLetterReason?: string; deadLetterErrorDescription?: string } }).message;
    expect([message.deadLetterReason, message.deadLetterErrorDescription]).to.deep.equal(['Unreadable', 'not an envelope']);
    await dlq.acknowledge(dead.token);
    await q.close();
    await dlq.close();
  });

  it('a topic fans out to its subscriptions: send to the topic, receive from each subscription', async () => {
    asb.broker.createTopic('events', ['billing', 'shipping']);
    const publisher = asb.factory.create('azuresb://test/events/subscriptions/billing');
    await publisher.enqueue(tm('evt'), Buffer.from('evt'));
    for (const sub of ['billing', 'shipping']) {
      const q = asb.factory.create(`azuresb://test/events/subscriptions/${sub}`);
      const got = await take(q);
      expect(text(got.body)).to.equal('evt');
      await q.acknowledge(got.token);
      await q.close();
    }
    await publisher.close();
  });

  it('an entity that does not exist gives a typed error; the connection string appears in no error', async () => {
    const secret = 'dGVzdA==';
    const q = asb.factory.create('azuresb://test/does-not-exist');
    let error: unknown;
    await q.enqueue(tm('x'), Buffer.from('x')).catch((e: unknown) => {
      error = e;
    });
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_ENTITY_NOT_FOUND');
    expect((error as Error).message).to.include("connection 'test'").and.not.include(secret);
    let unknownConnection: unknown;
    try {
      new AzureServiceBusQueueFactory({ connections: { prod: `Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=${secret}` } }).create('azuresb://other/q');
    } catch (e) {
      unknownConnection = e;
    }
    expect((unknownConnection as Error).message).to.match(/no Azure Service Bus connection named 'other'/).and.not.include(secret);
    await q.close();
  });

  it('a body another producer sent as a string reaches the bus as its bytes (for the error queue)', async () => {
    const name = asb.queue();
    const raw = new ServiceBusClient(asb.broker.connectionString);
    await raw.createSender(name).sendMessages({ body: 'plain text, not an envelope' });
    await raw.close();
    const q = asb.factory.create(`azuresb://test/${name}`);
    const got = await take(q);
    expect(text(got.body)).to.equal('plain text, not an envelope');
    await q.acknowledge(got.token);
    await q.close();
  });
});
