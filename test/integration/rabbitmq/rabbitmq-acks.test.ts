import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { isCountQueue, type IQueue, type ReceivedMessage } from '../../../src/transport/queue.js';
import { eventually } from '../../support/latch.js';
import { envelope, onRealBroker, takeOne as take } from './rabbitmq-stream.js';

const text = (r: ReceivedMessage) => Buffer.from(r.body).toString();

describe('RabbitMQ acknowledgements, coalesced (real broker)', function () {
  this.timeout(30_000);
  const broker = onRealBroker();

  async function filled(count: number, prefetch: number): Promise<{ name: string; q: IQueue }> {
    const name = `acks-${randomUUID().slice(0, 8)}`;
    const q = broker.open(name, `prefetch=${prefetch}`);
    for (let i = 0; i < count; i++) await q.enqueue(envelope(`m-${i}`), Buffer.from(`m-${i}`));
    return { name, q };
  }

  it('keeps deliveries flowing past a message still in hand: the acks behind it are not held back', async () => {
    const { q } = await filled(12, 3);
    const held = await take(q);
    // With prefetch 3, the broker sends more only as acks arrive; 11 more must come while `held` waits.
    for (let i = 0; i < 11; i++) await q.acknowledge((await take(q)).token);
    await q.release(held.token);
    const again = await take(q);
    expect(text(again)).to.equal(text(held));
    await q.acknowledge(again.token);
  });

  it('acknowledges what was acknowledged and only that: after the channel closes, just the held messages come back', async () => {
    const { name, q } = await filled(30, 20);
    const taken: ReceivedMessage[] = [];
    for (let i = 0; i < 20; i++) taken.push(await take(q));
    const keep = new Set([3, 11]);
    for (const [i, r] of taken.entries()) if (!keep.has(i)) await q.acknowledge(r.token);
    await q.close(); // gathered acks go out first; closing the channel returns the two held ones
    const reopened = broker.open(name, 'prefetch=20');
    if (isCountQueue(reopened)) await eventually(async () => (await reopened.count()) === 12, '10 never taken + 2 held are ready');
    const back: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await take(reopened);
      back.push(text(r));
      await reopened.acknowledge(r.token);
    }
    expect(back).to.include.members([text(taken[3]!), text(taken[11]!)]);
    expect(back.filter((b) => taken.some((t, i) => !keep.has(i) && text(t) === b))).to.deep.equal([]);
    await reopened.close();
  });
});
