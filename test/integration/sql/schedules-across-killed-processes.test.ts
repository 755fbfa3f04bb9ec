import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEDULE_TICK_HEADER } from '../../../src/schedules/schedule-headers.js';
import { isCreateQueue } from '../../../src/transport/queue.js';
import { requireService } from '../../support/integration.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';
import { disposeTwoDatabases, drainQueue, openTwoDatabases, type TwoDatabases } from '../../support/two-databases.js';

const CHILD = fileURLToPath(new URL('../../support/schedule-child.js', import.meta.url));
/** How many times one of the two processes is killed (and another started in its place) in a run. */
const KILLS = Number(process.env.SCHEDULE_KILLS ?? 5);

interface Child {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
}

function spawnChild(cfg: TwoDatabases): Child {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, SCHEDULE_CONFIG: JSON.stringify(cfg) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    void exited.then(() => reject(new Error('child exited before it was ready')));
  });
  ready.catch(() => undefined);
  return { process: child, ready, exited };
}

// PostgreSQL by default (two processes really competing on one server); SCHEDULE_KILL_STORES=postgres,sqlite adds SQLite.
const STORES = (process.env.SCHEDULE_KILL_STORES ?? 'postgres').split(',') as ('postgres' | 'sqlite')[];

for (const kind of STORES) {
  describe(`schedules on ${kind}: two processes, SIGKILLed and restarted, send each tick's message once`, function () {
    this.timeout(60_000);

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
    });

    it('every tick of the run has exactly one message, whichever process fired it and however often they die', async () => {
      const id = randomUUID().replace(/-/g, '').slice(0, 10);
      const dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'oncebus-sched-')) : null;
      const cfg: TwoDatabases =
        kind === 'postgres' ? { kind, pgUrl: PG_URL, schema: `sched_${id}`, outSchema: `sched_out_${id}` } : { kind, sqliteFile: join(dir!, 'main.db'), outSqliteFile: join(dir!, 'out.db'), leaseMs: 1500 };
      const stores = openTwoDatabases(cfg);
      const children: Child[] = [];
      try {
        await stores.main.store.ready();
        await stores.out.store.ready();
        const chimes = stores.out.queues.create('out://default/chimes');
        if (isCreateQueue(chimes)) await chimes.create();
        const slots = [spawnChild(cfg), spawnChild(cfg)];
        children.push(...slots);
        await Promise.all(slots.map((c) => c.ready));
        let kills = 0;
        // Every 500-1100 ms (once the last replacement is up), SIGKILL one of the two by turns, start another.
        while (kills < KILLS) {
          await new Promise((r) => setTimeout(r, 500 + Math.random() * 600));
          const slot = kills % 2;
          slots[slot]!.process.kill('SIGKILL');
          await slots[slot]!.exited;
          kills++;
          slots[slot] = spawnChild(cfg);
          children.push(slots[slot]!);
          await slots[slot]!.ready;
        }
        const stoppedAt = Date.now();
        // Ticks up to 2 s before the stop have had time to be handled and flushed.
        await new Promise((r) => setTimeout(r, 1500));
        for (const c of slots) c.process.kill('SIGTERM');
        await Promise.all(slots.map((c) => c.exited));

        const byTick = new Map<string, { copies: number; ids: Set<string> }>();
        for (const tm of await drainQueue(chimes)) {
          const tick = tm.headers[SCHEDULE_TICK_HEADER] ?? '?';
          const seen = byTick.get(tick) ?? { copies: 0, ids: new Set<string>() };
          seen.copies++;
          seen.ids.add(tm.messageId);
          byTick.set(tick, seen);
        }
        const ticks = [...byTick.keys()].sort();
        const first = Date.parse(ticks[0]!);
        const expected: string[] = [];
        for (let t = first; t <= stoppedAt - 2000; t += 1000) expected.push(new Date(t).toISOString());
        const missing = expected.filter((t) => !byTick.has(t));
        const duplicates = [...byTick.entries()].filter(([, s]) => s.ids.size > 1).map(([t]) => t);
        // Same-id copies are allowed by the contract (a flush cut short by the kill is redone under the same id,
        // and a receiver with idempotence drops it); each kill can cause at most one.
        const resent = [...byTick.values()].reduce((n, s) => n + s.copies - 1, 0);
        console.log(`      schedules on ${kind}: ${expected.length} ticks checked, ${kills} kills, ${duplicates.length} duplicates, ${missing.length} missing, ${resent} same-id re-sends`);
        expect(duplicates, 'ticks with two different messages').to.deep.equal([]);
        expect(missing, 'ticks with no message').to.deep.equal([]);
        expect(resent).to.be.at.most(kills);
        expect(expected.length).to.be.at.least(3);
      } finally {
        for (const c of children) c.process.kill('SIGKILL');
        await disposeTwoDatabases(cfg, stores);
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
