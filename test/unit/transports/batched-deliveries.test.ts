import { expect } from 'chai';
import { TransportError } from '../../../src/errors/errors.js';
import { type BatchSource, BatchedDeliveries, MAX_OPEN_BATCHES } from '../../../src/transport/batched-deliveries.js';

type Row = { readonly body: Uint8Array; readonly n: number };

/** A source over numbered rows: takes hand out the next ones; ends are recorded, and fail while `failEnds`. */
function source(total: number) {
  let next = 0;
  const ends: number[][] = [];
  let failEnds = false;
  const api: BatchSource<Row> & { ends: number[][]; failEnds(on: boolean): void; takes: number } = {
    ends,
    takes: 0,
    failEnds: (on) => (failEnds = on),
    async take(limit) {
      api.takes++;
      const rows: Row[] = [];
      while (rows.length < limit && next < total) rows.push({ n: next, body: Buffer.from(`m${next++}`) });
      if (rows.length === 0) return null;
      return {
        rows,
        async end(acknowledged) {
          if (failEnds) throw new Error('commit failed');
          ends.push(acknowledged.map((r) => r.n));
        },
      };
    },
  };
  return api;
}

const text = (m: { body: Uint8Array } | null) => (m ? Buffer.from(m.body).toString() : null);

describe('batched deliveries: many messages taken at once, settled together when the last is settled', () => {
  it('ends a batch once, when its last delivery is settled, with exactly the acknowledged ones', async () => {
    const s = source(3);
    const d = new BatchedDeliveries('test://q', s, 3);
    const [a, b, c] = [await d.getMessage(), await d.getMessage(), await d.getMessage()];
    expect([a, b, c].map(text)).to.deep.equal(['m0', 'm1', 'm2']);
    expect(s.takes, 'one take for the three').to.equal(1);
    await d.acknowledge(a!.token);
    await d.release(b!.token); // handed out again from the batch
    await d.acknowledge(c!.token);
    expect(s.ends, 'not ended while a released one waits').to.deep.equal([]);
    const again = await d.getMessage();
    expect(text(again)).to.equal('m1');
    await d.acknowledge(again!.token);
    expect(s.ends).to.deep.equal([[0, 2, 1]]);
  });

  it('tells the last settler when the batch could not end, and treats the batch as gone', async () => {
    const s = source(2);
    const d = new BatchedDeliveries('test://q', s, 2);
    const [a, b] = [await d.getMessage(), await d.getMessage()];
    await d.acknowledge(a!.token);
    s.failEnds(true);
    let error: unknown;
    await d.acknowledge(b!.token).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TransportError);
    expect(String(error)).to.match(/redelivered/);
  });

  it('calls an acknowledgement\'s durable callback only when its batch has ended for good, never when the end failed', async () => {
    const s = source(4);
    const d = new BatchedDeliveries('test://q', s, 2);
    const durable: string[] = [];
    const [a, b] = [await d.getMessage(), await d.getMessage()];
    await d.acknowledge(a!.token, () => durable.push('a'));
    expect(durable, 'recorded in its batch only').to.deep.equal([]);
    await d.acknowledge(b!.token, () => durable.push('b'));
    expect(durable).to.deep.equal(['a', 'b']);
    const [c, e] = [await d.getMessage(), await d.getMessage()];
    await d.acknowledge(c!.token, () => durable.push('c'));
    s.failEnds(true);
    await d.acknowledge(e!.token, () => durable.push('e')).catch(() => undefined);
    expect(durable, 'a batch that could not end made nothing durable').to.deep.equal(['a', 'b']);
  });

  it('keeps at most MAX_OPEN_BATCHES batches open: with every one held by a straggler it answers null instead of taking more', async () => {
    const s = source(100);
    const d = new BatchedDeliveries('test://q', s, 1);
    const held = [];
    for (let i = 0; i < MAX_OPEN_BATCHES; i++) held.push(await d.getMessage());
    expect(await d.getMessage()).to.equal(null);
    expect(s.takes).to.equal(MAX_OPEN_BATCHES);
    await d.acknowledge(held[0]!.token);
    expect(text(await d.getMessage())).to.equal(`m${MAX_OPEN_BATCHES}`);
  });

  it('on close ends every batch with what was acknowledged; a later settle of its deliveries is refused', async () => {
    const s = source(3);
    const d = new BatchedDeliveries('test://q', s, 3);
    const [a, b] = [await d.getMessage(), await d.getMessage()];
    await d.acknowledge(a!.token);
    await d.close();
    expect(s.ends).to.deep.equal([[0]]);
    expect(await d.getMessage()).to.equal(null);
    let error: unknown;
    await d.acknowledge(b!.token).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/has ended/);
  });
});
