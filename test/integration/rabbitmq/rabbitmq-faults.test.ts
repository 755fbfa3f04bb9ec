import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { isCountQueue, isCreateQueue, type IQueue } from '../../../src/transport/queue.js';
import { type QueueMismatchError, RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { eventually } from '../../support/latch.js';
import { codeOf, envelope, onRealBroker, takeOne } from './rabbitmq-stream.js';

describe('RabbitMQ faults without a restart: refused, mismatched queue, settling twice', function () {
  this.timeout(30_000);

  it('connection refused at start: bounded retries with back-off, then BrokerUnavailableError naming the broker, password masked', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const closed = new RabbitMqQueueFactory({ connectAttempts: 3, reconnectDelayMs: 50 });
    try {
      const q = closed.create('rabbitmq://guest:hunter2@127.0.0.1:1/nowhere');
      const started = Date.now();
      let error: unknown;
      await q.enqueue(envelope('x'), Buffer.from('x')).catch((e: unknown) => (error = e));
      const took = Date.now() - started;
      expect(codeOf(error)).to.equal('ONCEBUS_BROKER_UNAVAILABLE');
      expect((error as Error).message).to.match(/cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1\/%2F.*after 3 attempt/);
      expect((error as Error).message).to.not.include('hunter2');
      // Two pauses of 50 ms then 100 ms, each ±20 %: it backed off, and it did not wait for the outage timeout.
      expect(took).to.be.within(80, 5000);
      // A receive loop sees the same typed error (after answering null while the attempts run).
      let receiveError: unknown;
      await eventually(async () => {
        await q.getMessage().catch((e: unknown) => (receiveError = e));
        return receiveError !== undefined;
      }, 'getMessage reports the refused connection');
      expect(codeOf(receiveError)).to.equal('ONCEBUS_BROKER_UNAVAILABLE');
    } finally {
      await closed.close();
    }
  });

  describe('on the real broker', () => {
    const broker = onRealBroker();
    const open = (name: string, query = ''): IQueue => broker.open(name, query);

    for (const [query, argument] of [
      ['priority=10', 'x-max-priority'],
      ['durable=false', 'durable'],
    ] as const) {
      it(`a queue declared with other arguments (${query}) gives QueueMismatchError naming '${argument}'; the connection goes on`, async () => {
        const name = `mismatch-${randomUUID().slice(0, 8)}`;
        const plain = open(name);
        if (isCreateQueue(plain)) await plain.create();
        const lost: unknown[] = [];
        broker.factory.events.on('disconnected', (info) => lost.push(info));
        // A stream on another queue of the same connection runs while the mismatch happens.
        const other = open(`mismatch-other-${randomUUID().slice(0, 8)}`);
        const stream = Promise.all(Array.from({ length: 20 }, (_, i) => other.enqueue(envelope(`o-${i}`), Buffer.from(`o-${i}`))));
        const mismatched = open(name, query);
        const failures = await Promise.all([
          isCreateQueue(mismatched) ? mismatched.create().then(() => null, (e: unknown) => e) : null,
          mismatched.enqueue(envelope('m'), Buffer.from('m')).then(() => null, (e: unknown) => e),
        ]);
        let receiveError: unknown;
        await eventually(async () => {
          await mismatched.getMessage().catch((e: unknown) => (receiveError = e));
          return receiveError !== undefined;
        }, 'getMessage reports the mismatch');
        for (const error of [...failures, receiveError]) {
          expect(codeOf(error)).to.equal('ONCEBUS_QUEUE_MISMATCH');
          expect((error as QueueMismatchError).argument).to.equal(argument);
          expect((error as Error).message).to.include(`'${argument}'`);
        }
        await stream; // every send on the shared connection was confirmed
        await plain.enqueue(envelope('after'), Buffer.from('after'));
        const got = await takeOne(plain);
        expect(Buffer.from(got.body).toString()).to.equal('after');
        await plain.acknowledge(got.token);
        expect(lost, 'the connection was never lost').to.deep.equal([]);
        await mismatched.close();
      });
    }

    it('settling a delivery twice rejects without touching the channel; the channel goes on', async () => {
      const name = `twice-${randomUUID().slice(0, 8)}`;
      const q = open(name, 'prefetch=10');
      await q.enqueue(envelope('a'), Buffer.from('a'));
      await q.enqueue(envelope('b'), Buffer.from('b'));
      const a = await takeOne(q);
      const b = await takeOne(q);
      await q.acknowledge(a.token);
      for (const settle of [() => q.acknowledge(a.token), () => q.release(a.token)]) {
        let error: unknown;
        await settle().catch((e: unknown) => (error = e));
        expect(codeOf(error)).to.equal('ONCEBUS_DELIVERY_ALREADY_SETTLED');
      }
      // A double ack sent to the broker would close the channel (PRECONDITION_FAILED, unknown delivery tag),
      // and 'b' (held on it) would become stale. It is still settled on the same channel.
      await q.acknowledge(b.token);
      if (isCountQueue(q)) await eventually(async () => (await q.count()) === 0, 'an empty queue');
      await q.close();
      const again = open(name);
      expect(await again.getMessage(), 'nothing redelivered').to.equal(null);
      await again.close();
    });
  });
});
