import { expect } from 'chai';
import { PriorityFifo } from '../../../src/transports/memory/priority-fifo.js';

const item = (id: number, priority = 0) => ({ id, priority });
const drain = (q: PriorityFifo<{ id: number; priority: number }>) => {
  const out: number[] = [];
  for (let x = q.shift(); x; x = q.shift()) out.push(x.id);
  return out;
};

describe('PriorityFifo (the memory queue\'s ready messages)', () => {
  it('takes higher priority first, then in arrival order', () => {
    const q = new PriorityFifo<{ id: number; priority: number }>();
    for (const x of [item(1), item(2, 5), item(3), item(4, 5), item(5, 9), item(6, 1)]) q.push(x);
    expect(q.length).to.equal(6);
    expect(q.toArray().map((x) => x.id)).to.deep.equal([5, 2, 4, 6, 1, 3]);
    expect(drain(q)).to.deep.equal([5, 2, 4, 6, 1, 3]);
    expect(q.length).to.equal(0);
    expect(q.shift()).to.equal(undefined);
  });

  it('puts a released message at the very front, also after takes', () => {
    const q = new PriorityFifo<{ id: number; priority: number }>();
    for (let i = 1; i <= 4; i++) q.push(item(i));
    const first = q.shift()!;
    q.shift();
    q.unshift(first);
    q.unshift(item(0));
    expect(drain(q)).to.deep.equal([0, 1, 3, 4]);
  });

  it('keeps order and length across the compaction of many taken slots', () => {
    const q = new PriorityFifo<{ id: number; priority: number }>();
    const taken: number[] = [];
    let next = 0;
    // Interleave pushes and takes over several compactions (every 1024+ takes).
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 900; i++) q.push(item(next++));
      for (let i = 0; i < 700; i++) taken.push(q.shift()!.id);
      q.push(item(-1 - round, 1)); // a priority message jumps the rest of the queue
      taken.push(q.shift()!.id);
    }
    expect(q.length).to.equal(9000 - 7000);
    taken.push(...drain(q));
    expect(taken.filter((id) => id >= 0)).to.deep.equal(Array.from({ length: 9000 }, (_, i) => i));
    expect(taken.filter((id) => id < 0)).to.deep.equal([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10]);
  });

  it('clear() empties it', () => {
    const q = new PriorityFifo<{ id: number; priority: number }>();
    q.push(item(1));
    q.shift();
    q.push(item(2));
    q.clear();
    expect(q.length).to.equal(0);
    expect(q.shift()).to.equal(undefined);
  });
});
