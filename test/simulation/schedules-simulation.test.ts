import { expect } from 'chai';
import { runScheduleSeed, type ScheduleSimOptions } from './sim-schedules.js';

/** Seeds per variant in a test run. */
const SEEDS = Number(process.env.SIM_SCHEDULE_SEEDS ?? 8);

const VARIANTS: readonly Omit<ScheduleSimOptions, 'seed'>[] = (['memory', 'sqlite'] as const).flatMap((store) => [
  { store, crashes: 0, faults: 0 },
  { store, crashes: 3, faults: 0 },
  { store, crashes: 3, faults: 6 },
]);

describe('the deterministic simulator: two processes fire an every-second schedule, with crashes and faults', function () {
  this.timeout(300_000);
  const figures: string[] = [];
  after(() => {
    if (process.env.SIM_SCHEDULE_FIGURES) console.log(figures.join('\n'));
  });

  for (const variant of VARIANTS) {
    it(`${variant.store}, ${variant.crashes ? `up to ${variant.crashes} crashes` : 'no crashes'}, ${variant.faults ? `up to ${variant.faults} faults` : 'no faults'}: ${SEEDS} seeds send each tick's message once`, async () => {
      const failures: string[] = [];
      const total = { ticks: 0, fired: 0, missing: 0, duplicates: 0, crashes: 0, faults: 0 };
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = await runScheduleSeed({ ...variant, seed });
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
        if (r.problems.length > 0) failures.push(`seed ${seed}: ${r.problems.join('; ')}`);
      }
      figures.push(`${JSON.stringify(variant)}: ${JSON.stringify(total)}`);
      expect(failures).to.deep.equal([]);
      expect(total.duplicates).to.equal(0);
      // Both processes fired (nearly) every tick: the once-only is idempotence's doing, not a lone firer's.
      expect(total.fired).to.be.greaterThan(1.5 * total.ticks);
      if (variant.crashes) expect(total.crashes).to.be.greaterThan(SEEDS);
      if (variant.faults) expect(total.faults).to.be.greaterThan(SEEDS);
    });
  }

  it('replays a seed exactly', async () => {
    const options: ScheduleSimOptions = { seed: 5, store: 'memory', crashes: 3, faults: 6, trace: true };
    const [a, b] = [await runScheduleSeed(options), await runScheduleSeed(options)];
    expect(a.trace.length).to.be.greaterThan(40);
    expect(b.trace).to.deep.equal(a.trace);
  });

  for (const store of ['memory', 'sqlite'] as const) {
    for (const crashes of [0, 3]) {
      it(`catches the broken variant 'tick-per-copy' (${store}, ${crashes} crashes) within 5 seeds`, async () => {
        for (let seed = 1; seed <= 5; seed++) {
          const r = await runScheduleSeed({ seed, store, crashes, faults: 0, broken: 'tick-per-copy' });
          if (r.duplicates > 0) return;
        }
        expect.fail("no seed caught 'tick-per-copy'");
      });
    }
  }
});
