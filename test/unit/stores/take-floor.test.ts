import { expect } from 'chai';
import { TakeFloor } from '../../../src/stores/sql/take-floor.js';

const rows = (priority: number, from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: String(from + i), priority }));

describe('TakeFloor: where a batch take of a large backlog starts instead of the head of the queue', () => {
  let now = 1_000;
  const clock = () => now;

  it('starts a full batch from its own first row, and every take from the head until a batch comes back full', () => {
    const floor = new TakeFloor(250, clock);
    expect(floor.current()).to.equal(null);
    floor.taken(rows(0, 1, 100), true, 100);
    expect(floor.current()).to.deep.equal({ priority: 0, id: '1' });
    floor.taken(rows(0, 101, 100), false, 100);
    expect(floor.current()).to.deep.equal({ priority: 0, id: '101' });
  });

  it('forgets the floor after a short take, so a queue near its end is scanned whole as before', () => {
    const floor = new TakeFloor(250, clock);
    floor.taken(rows(0, 1, 100), true, 100);
    floor.taken(rows(0, 101, 40), false, 100);
    expect(floor.current()).to.equal(null);
    floor.taken([], true, 100);
    expect(floor.current()).to.equal(null);
  });

  it('asks for a full take once the period has passed since the last one, whatever the floor', () => {
    const floor = new TakeFloor(250, clock);
    floor.taken(rows(0, 1, 100), true, 100);
    now += 249;
    floor.taken(rows(0, 101, 100), false, 100);
    expect(floor.current()).to.not.equal(null);
    now += 1;
    expect(floor.current()).to.equal(null);
    floor.taken(rows(0, 201, 100), true, 100);
    expect(floor.current()).to.deep.equal({ priority: 0, id: '201' });
  });

  it('takes its priority from the last row of a batch that spans two, from that priority\'s first row', () => {
    const floor = new TakeFloor(250, clock);
    floor.taken([...rows(5, 900, 3), ...rows(0, 7, 97)], true, 100);
    expect(floor.current()).to.deep.equal({ priority: 0, id: '7' });
  });

  it('asks for a full take at once when the clock steps back, instead of none for as long as the step', () => {
    const floor = new TakeFloor(250, clock);
    floor.taken(rows(0, 1, 100), true, 100);
    expect(floor.current()).to.not.equal(null);
    now -= 10 * 60_000; // NTP stepped the wall clock back ten minutes
    expect(floor.current()).to.equal(null);
    floor.taken(rows(0, 101, 100), true, 100);
    expect(floor.current()).to.deep.equal({ priority: 0, id: '101' });
  });
});
