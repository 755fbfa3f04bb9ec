import { expect } from 'chai';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AckBatch } from '../../../src/transports/rabbitmq/rabbitmq-ack-batch.js';

/** The frames an AckBatch writes, recorded in order (the real broker is exercised in the integration suite). */
function recordingChannel() {
  const frames: string[] = [];
  let closed = false;
  const channel = {
    ack(m: ConsumeMessage, allUpTo = false) {
      if (closed) throw new Error('channel closed');
      frames.push(`${allUpTo ? 'ack-upto' : 'ack'} ${m.fields.deliveryTag}`);
    },
    nack(m: ConsumeMessage, _all: boolean, requeue: boolean) {
      frames.push(`nack ${m.fields.deliveryTag}${requeue ? ' requeue' : ''}`);
    },
  };
  return { channel: channel as unknown as Channel, frames, close: () => (closed = true) };
}

const delivery = (tag: number) => ({ fields: { deliveryTag: tag } }) as ConsumeMessage;
const nextTurn = () => new Promise((r) => setImmediate(r));

/** An AckBatch on a recording channel, with deliveries 1..count handed out. */
function batchWith(count: number) {
  const { channel, frames, close } = recordingChannel();
  const batch = new AckBatch(channel);
  const ds = Array.from({ length: count }, (_, i) => delivery(i + 1));
  for (const d of ds) batch.delivered(d);
  return { batch, ds, frames, close };
}

describe('AckBatch: coalesced RabbitMQ acknowledgements', () => {
  it('sends the acks of one turn that cover every outstanding delivery as one multiple-ack', async () => {
    const { batch, ds, frames } = batchWith(4);
    for (const d of [ds[2]!, ds[0]!, ds[1]!, ds[3]!]) batch.ack(d);
    expect(frames, 'nothing goes out before the end of the turn').to.deep.equal([]);
    await nextTurn();
    expect(frames).to.deep.equal(['ack-upto 4']);
  });

  it('never lets a multiple-ack cover a delivery still in hand: acks past it go one by one', async () => {
    const { batch, ds, frames } = batchWith(5);
    batch.ack(ds[0]!);
    batch.ack(ds[1]!);
    batch.ack(ds[3]!); // 3 is still being handled
    batch.ack(ds[4]!);
    await nextTurn();
    expect(frames).to.deep.equal(['ack-upto 2', 'ack 4', 'ack 5']);
    batch.ack(ds[2]!);
    await nextTurn();
    expect(frames.slice(3), 'now the oldest outstanding: covers itself only').to.deep.equal(['ack-upto 3']);
  });

  it('sends gathered acks before a release, and the release at once', () => {
    const { batch, ds, frames } = batchWith(3);
    batch.ack(ds[0]!);
    batch.requeue(ds[1]!);
    expect(frames).to.deep.equal(['ack-upto 1', 'nack 2 requeue']);
  });

  it('moves past a released delivery: later acks coalesce again', async () => {
    const { batch, ds, frames } = batchWith(3);
    batch.requeue(ds[0]!);
    batch.ack(ds[1]!);
    batch.ack(ds[2]!);
    await nextTurn();
    expect(frames).to.deep.equal(['nack 1 requeue', 'ack-upto 3']);
  });

  it('drops what it holds when the channel is gone (the broker redelivers), without throwing', async () => {
    const { batch, ds, frames, close } = batchWith(2);
    batch.ack(ds[0]!);
    close();
    await nextTurn();
    batch.discard();
    batch.ack(ds[1]!);
    await nextTurn();
    expect(frames).to.deep.equal([]);
  });
});
