import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../../../src/stores/sqlite/sqlite-database.js';
import { WRITE_TURN_MS, WriteTurns } from '../../../src/stores/sqlite/write-turns.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Whether `p` settles before a macrotask (a timer of 0 ms) runs: the handoff was immediate. */
const settlesAtOnce = async (p: Promise<unknown>): Promise<boolean> => Promise.race([p.then(() => true), sleep(0).then(() => false)]);

describe('SQLite write turns: the in-process write lock lets other processes in', () => {
  it('is exclusive and first come, first served', async () => {
    const turns = new WriteTurns(1000, 20);
    const order: number[] = [];
    let inside = 0;
    await Promise.all(
      [0, 1, 2, 3].map((n) =>
        turns.run(async () => {
          inside++;
          expect(inside, 'one holder at a time').to.equal(1);
          order.push(n);
          await sleep(1);
          inside--;
        }),
      ),
    );
    expect(order).to.deep.equal([0, 1, 2, 3]);
  });

  it('hands the lock on at once while the turn lasts', async () => {
    const turns = new WriteTurns(10_000, 20);
    const release = await turns.acquire();
    const next = turns.acquire();
    release();
    expect(await settlesAtOnce(next)).to.equal(true);
    (await next)();
  });

  it('past its turn, the next holder waits until the lock has been free for the gap, and its turn starts anew', async () => {
    const turns = new WriteTurns(30, 25);
    let release = await turns.acquire();
    await sleep(40); // held past the turn
    const next = turns.acquire();
    const releasedAt = Date.now();
    release();
    expect(await settlesAtOnce(next), 'not handed on at once').to.equal(false);
    release = await next;
    expect(Date.now() - releasedAt).to.be.at.least(24);
    // A new turn: the holder after it gets the lock at once.
    const third = turns.acquire();
    release();
    expect(await settlesAtOnce(third)).to.equal(true);
    (await third)();
  });

  it('ends the turn when the clock steps back, instead of stretching it by the step', async () => {
    const turns = new WriteTurns(60_000, 25);
    const realNow = Date.now;
    let release = await turns.acquire();
    const next = turns.acquire();
    try {
      Date.now = () => realNow() - 10 * 60_000; // NTP stepped the wall clock back ten minutes
      release();
      expect(await settlesAtOnce(next), 'a gap is given, as after a turn').to.equal(false);
      release = await next;
      release();
    } finally {
      Date.now = realNow;
    }
  });

  it('unbounded (turnMs Infinity, writeTurns: false), gives no gap even when the clock steps back', async () => {
    const turns = new WriteTurns(Number.POSITIVE_INFINITY, 25);
    const realNow = Date.now;
    const release = await turns.acquire();
    const next = turns.acquire();
    try {
      Date.now = () => realNow() - 10 * 60_000;
      release();
      expect(await settlesAtOnce(next)).to.equal(true);
      (await next)();
    } finally {
      Date.now = realNow;
    }
  });

  it('counts a release and an acquire in the same moment as one turn (no gap was left)', async () => {
    const turns = new WriteTurns(30, 25);
    let release = await turns.acquire();
    await sleep(40);
    release(); // free, but only for a moment
    const next = turns.acquire();
    expect(await settlesAtOnce(next)).to.equal(false);
    release = await next;
    release();
    await sleep(30); // free for a whole gap: the next acquire starts a turn at once
    const after = turns.acquire();
    expect(await settlesAtOnce(after)).to.equal(true);
    (await after)();
  });

  it('starts the turn when the holder took the file after waiting for another process (turnStarts)', async () => {
    const turns = new WriteTurns(30, 25);
    const release = await turns.acquire();
    await sleep(40); // waiting for SQLITE_BUSY, say
    turns.turnStarts();
    const next = turns.acquire();
    release();
    expect(await settlesAtOnce(next)).to.equal(true);
    (await next)();
  });

  it('lets a second connection on the file write while the first runs transaction after transaction', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-turns-'));
    const first = new SqliteDatabase({ file: join(dir, 'turns.db'), synchronous: 'NORMAL' });
    const second = new SqliteDatabase({ file: join(dir, 'turns.db'), synchronous: 'NORMAL' });
    try {
      await first.execute('CREATE TABLE t (who text NOT NULL)');
      const busyFor = WRITE_TURN_MS * 6;
      const until = Date.now() + busyFor;
      // Back to back: each begins as soon as the one before committed (a process with steady work).
      const steady = (async () => {
        while (Date.now() < until) {
          const tx = await first.begin();
          await tx.execute("INSERT INTO t (who) VALUES ('first')");
          await sleep(5);
          await tx.commit();
        }
      })();
      await sleep(50);
      const started = Date.now();
      await second.execute("INSERT INTO t (who) VALUES ('second')");
      const waited = Date.now() - started;
      const stillBusy = Date.now() < until;
      await steady;
      // Before the turns, the second waited for the whole run of the first (it never found the file free).
      expect(stillBusy, `the second wrote while the first was still busy (waited ${waited} ms)`).to.equal(true);
      expect(waited).to.be.lessThan(WRITE_TURN_MS * 4);
    } finally {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
