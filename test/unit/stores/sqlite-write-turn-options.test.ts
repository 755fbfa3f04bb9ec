import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../../src/errors/errors.js';
import { SqliteDatabase, type SqliteOptions } from '../../../src/stores/sqlite/sqlite-database.js';
import { SqliteStore } from '../../../src/stores/sqlite/sqlite-store.js';
import { WRITE_TURN_MS } from '../../../src/stores/sqlite/write-turns.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Whether `p` settles before a macrotask (a timer of 0 ms) runs: the handoff was immediate. */
const settlesAtOnce = async (p: Promise<unknown>): Promise<boolean> => Promise.race([p.then(() => true), sleep(0).then(() => false)]);

describe('SQLite store: the writeTurns option', () => {
  let dir: string;
  const opened: SqliteDatabase[] = [];
  const open = (writeTurns: SqliteOptions['writeTurns']): SqliteDatabase => {
    const db = new SqliteDatabase({ file: join(dir, 'turns.db'), synchronous: 'NORMAL', writeTurns });
    opened.push(db);
    return db;
  };
  const rejection = (writeTurns: unknown): ConfigurationError => {
    try {
      new SqliteStore({ file: join(dir, 'bad.db'), writeTurns: writeTurns as SqliteOptions['writeTurns'] });
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigurationError);
      return error as ConfigurationError;
    }
    throw new Error(`writeTurns ${JSON.stringify(writeTurns)} was accepted`);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-turn-options-'));
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('validation', () => {
    for (const [name, bad] of [
      ['turnMs', 0],
      ['turnMs', -5],
      ['turnMs', 1.5],
      ['gapMs', 0],
      ['gapMs', Number.NaN],
      ['gapMs', 2 ** 31],
      ['busyPollMaxMs', 0],
      ['busyPollMaxMs', '4'],
    ] as const) {
      it(`rejects writeTurns.${name} = ${typeof bad === 'string' ? `'${bad}'` : bad}, naming the setting`, () => {
        const error = rejection({ [name]: bad });
        expect(error.setting).to.equal(`writeTurns.${name}`);
        expect(error.message).to.contain('whole number of milliseconds');
        expect(error.hint).to.contain(`writeTurns.${name}`);
      });
    }

    it('rejects a busyPollMaxMs longer than gapMs: the other process could poll past every gap', () => {
      const error = rejection({ gapMs: 20, busyPollMaxMs: 25 });
      expect(error.setting).to.equal('writeTurns.busyPollMaxMs');
      expect(error.message).to.contain('longer than writeTurns.gapMs (20 ms)');
      expect(error.hint).to.contain('20 or less');
    });

    it('checks busyPollMaxMs against the default gap when only it is set', () => {
      expect(rejection({ busyPollMaxMs: 11 }).setting).to.equal('writeTurns.busyPollMaxMs');
      const error = rejection({ gapMs: 3 });
      expect(error.setting, 'a gap shorter than the default poll').to.equal('writeTurns.busyPollMaxMs');
      expect(error.message).to.contain('(4 ms, the default)');
    });

    it('rejects writeTurns that is neither options nor false', () => {
      for (const bad of [true, 500, null, [1]]) expect(rejection(bad).setting, JSON.stringify(bad)).to.equal('writeTurns');
    });

    it('accepts a poll as long as the gap, and leaves the defaults alone', () => {
      expect(open({ gapMs: 4, busyPollMaxMs: 4 }).writeTurnMs).to.equal(WRITE_TURN_MS);
      expect(open(undefined).writeTurnMs).to.equal(WRITE_TURN_MS);
      expect(open({}).writeTurnMs).to.equal(WRITE_TURN_MS);
    });
  });

  it('honours a configured turn: past it, the next transaction waits for the gap (the default turn hands on at once)', async () => {
    const configured = open({ turnMs: 30, gapMs: 25 });
    expect(configured.writeTurnMs, 'what group commit bounds a batch by').to.equal(30);
    const first = await configured.begin();
    await sleep(40); // held past the 30 ms turn
    const next = configured.begin();
    await first.commit();
    expect(await settlesAtOnce(next), 'a gap is given').to.equal(false);
    await (await next).commit();

    const defaults = open(undefined);
    const held = await defaults.begin();
    await sleep(40); // well within the default 500 ms turn
    const after = defaults.begin();
    await held.commit();
    expect(await settlesAtOnce(after), 'handed on at once').to.equal(true);
    await (await after).commit();
  });

  it('writeTurns: false hands the lock on without gaps, and leaves group-commit batches unbounded in time', async () => {
    const db = open(false);
    expect(db.writeTurnMs).to.equal(undefined);
    let tx = await db.begin();
    const startedAt = Date.now();
    // One holder after another for longer than a default turn: never a gap.
    while (Date.now() - startedAt < WRITE_TURN_MS + 100) {
      const next = db.begin();
      await sleep(20);
      await tx.commit();
      expect(await settlesAtOnce(next), 'handed on at once').to.equal(true);
      tx = await next;
    }
    await tx.commit();
  });

  it('polls a busy file at most busyPollMaxMs apart', async () => {
    const db = open({ gapMs: 200, busyPollMaxMs: 100 });
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    let tries = 0;
    const startedAt = Date.now();
    await db.retrying(() => {
      if (++tries < 8) throw busy;
    });
    // Pauses of 1, 2, 4, … 64 ms: 127 ms (with the default 4 ms at most: 23 ms). Timers may fire a little early.
    expect(Date.now() - startedAt).to.be.at.least(110);
  });
});
