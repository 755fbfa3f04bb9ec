import { expect } from 'chai';
import { CronExpression } from '../../../src/config/cron-expression.js';
import type { ResolvedSchedule } from '../../../src/config/resolve-schedules.js';
import { createSilentLogger } from '../../../src/logging/logger.js';
import { Scheduler } from '../../../src/schedules/scheduler.js';
import { eventually } from '../../support/latch.js';

const TEN = Date.UTC(2026, 2, 2, 10, 0, 0);
const everySecond = (backfillMs: number): ResolvedSchedule => ({ name: 's', cron: new CronExpression('* * * * * *', 'UTC', 'cron'), message: {}, backfillMs, recipient: undefined, local: false });

/** A clock the test moves: it runs with the wall clock from `at`, and `jump` moves it on at once. */
function movableClock(at: number) {
  let offset = at - Date.now();
  return { now: () => Date.now() + offset, jump: (ms: number) => void (offset += ms) };
}

describe('the scheduler: which ticks a process fires, read from the endpoint clock', function () {
  this.timeout(10_000);

  it('after a stall past several ticks (a clock jump), fires only the latest of them', async () => {
    const clock = movableClock(TEN + 100);
    const fired: number[] = [];
    const scheduler = new Scheduler([everySecond(0)], async (_, tick) => void fired.push(tick), clock.now, createSilentLogger());
    await eventually(() => clock.now() >= TEN + 1_050, 'the first tick passed');
    clock.jump(5_000);
    await eventually(() => fired.length >= 2, 'the tick after the jump was fired');
    scheduler.stop();
    await scheduler.done;
    // Backfill 0: 10:00:00 (100 ms old at start) is skipped; 10:00:01 as it came. The jump lands at 10:00:06.05
    // while the scheduler sleeps until what was 10:00:02, so it wakes at 10:00:07: only that one, not :02–:06.
    // (On a slow machine the wake may be later still: what matters is that none of :02–:05 is fired.)
    expect(fired[0]).to.equal(TEN + 1_000);
    expect(fired.slice(1).every((tick) => tick >= TEN + 6_000), `fired ${fired.map((t) => (t - TEN) / 1000).join(', ')}`).to.equal(true);
  });

  it('tries a tick again every second when it could not be sent, until it goes out', async () => {
    const clock = movableClock(TEN + 200);
    const hourly: ResolvedSchedule = { ...everySecond(60_000), cron: new CronExpression('0 * * * *', 'UTC', 'cron') };
    const attempts: number[] = [];
    const scheduler = new Scheduler(
      [hourly],
      async (_, tick) => {
        attempts.push(tick);
        if (attempts.length === 1) throw new Error('broker down');
      },
      clock.now,
      createSilentLogger(),
    );
    await eventually(() => attempts.length >= 2, 'the tick was tried again');
    await new Promise((r) => setTimeout(r, 50));
    scheduler.stop();
    await scheduler.done;
    expect(attempts).to.deep.equal([TEN, TEN]);
  });
});
