import { expect } from 'chai';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { isCreateQueue, type IQueue } from '../../../src/transport/queue.js';
import { requireService } from '../../support/integration.js';
import { canControlRabbit, RABBITMQ_URL, rabbitctl } from '../../support/rabbitmq.js';
import { codeOf, envelope, onRealBroker } from './rabbitmq-stream.js';

/** Reads a queue with a plain amqplib client: what the broker really holds, not what the transport says. */
async function raw<T>(use: (ch: amqp.Channel) => Promise<T>): Promise<T> {
  const c = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await c.createChannel();
    return await use(ch);
  } finally {
    await c.close();
  }
}

describe('RabbitMQ publishing (real broker): confirms, properties, unroutable, nack', function () {
  this.timeout(30_000);
  const broker = onRealBroker();

  function open(query = '', prefix = 'pub'): { q: IQueue; name: string } {
    const name = `${prefix}-${randomUUID().slice(0, 8)}`;
    return { q: broker.open(name, query), name };
  }

  it('an enqueue resolves only once the broker holds the message: persistent, with the envelope metadata as properties, without a TTL', async () => {
    const { q, name } = open('priority=5');
    const expiry = Date.now() + 60_000;
    await q.enqueue(envelope('id-1', { priority: 3, expiryDate: expiry, correlationId: 'corr-1' }), Buffer.from('payload'));
    // No wait: a confirmed message is in the queue at once.
    const msg = await raw(async (ch) => ch.get(name, { noAck: true }));
    expect(msg, 'the broker holds the message when enqueue resolves').to.not.equal(false);
    if (msg === false) return;
    expect(msg.content.toString()).to.equal('payload');
    expect(msg.properties).to.include({ deliveryMode: 2, messageId: 'id-1', priority: 3, correlationId: 'corr-1', contentType: 'application/json', type: 'rmq.Test' });
    // No broker TTL: an expired message whose unit of work committed must still reach the bus (it flushes).
    expect(msg.properties.expiration).to.equal(undefined);
  });

  it('leaves an id too long for an AMQP short string out of the properties instead of failing the send', async () => {
    const { q, name } = open();
    const longId = 'é'.repeat(200); // 200 characters, 400 bytes: a valid messageId, too long for message_id
    await q.enqueue(envelope(longId), Buffer.from('long'));
    const msg = await raw(async (ch) => ch.get(name, { noAck: true }));
    expect(msg, 'the broker holds the message').to.not.equal(false);
    if (msg === false) return;
    expect(msg.content.toString()).to.equal('long');
    expect(msg.properties.messageId).to.equal(undefined);
  });

  it('declares a durable queue by default, so it and its messages survive a broker restart', async () => {
    const { q, name } = open();
    if (isCreateQueue(q)) await q.create();
    const ok = await raw(async (ch) => {
      // Declaring it again as durable succeeds only if it is durable (else PRECONDITION_FAILED).
      await ch.assertQueue(name, { durable: true });
      return true;
    });
    expect(ok).to.equal(true);
  });

  it('a queue deleted behind the transport is declared again, and the send is not dropped by the default exchange', async () => {
    const { q, name } = open();
    await q.enqueue(envelope('one'), Buffer.from('one')); // declares the queue for this connection
    await raw((ch) => ch.deleteQueue(name));
    // Without a mandatory publish the broker would confirm this send and drop it: the queue is gone.
    await q.enqueue(envelope('two'), Buffer.from('two'));
    const got = await raw(async (ch) => ch.get(name, { noAck: true }));
    expect(got ? got.content.toString() : null).to.equal('two');
  });

  it('a message the broker refuses (nack) rejects with PublishRejectedError; the confirm channel goes on', async function () {
    requireService(this, 'control of the local RabbitMQ (rabbitmqctl)', canControlRabbit());
    // A policy, not queue arguments, makes the queue refuse publishes, so the declaration still matches.
    await rabbitctl('set_policy', 'oncebus-test-full', '^full-', '{"max-length":0,"overflow":"reject-publish"}', '--apply-to', 'queues');
    try {
      const { q } = open('', 'full');
      let error: unknown;
      await q.enqueue(envelope('x'), Buffer.from('x')).catch((e: unknown) => (error = e));
      expect(codeOf(error)).to.equal('ONCEBUS_PUBLISH_REJECTED');
      const { q: ordinary } = open();
      await ordinary.enqueue(envelope('y'), Buffer.from('y'));
    } finally {
      await rabbitctl('clear_policy', 'oncebus-test-full');
    }
  });
});
