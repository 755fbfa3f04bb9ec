// The deterministic simulator (npm run simulate): seeded runs of several endpoints in competing worker
// processes over the memory transport, with the memory store, SQLite and SQLite with group commit, and two operations processes
// ingesting and returning failed messages, crashing and failing at awaited steps; an oracle checks each run. A failing seed replays exactly:
//   npm run simulate -- --seeds 500            many seeds, every variant
//   npm run simulate -- --seed 42 --store sqlite --trace   one run, with its trace
//   npm run simulate -- --pubsub exchanges                 publish/subscribe by the broker's bindings
import { runSeed, type SimOptions } from './run-seed.js';
import type { StoreKind } from './sim-world.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/**
 * The variants every seed runs in: calm (every dispatch counted), crashes, crashes and faults; each store;
 * and publish/subscribe by the broker's exchanges (bindings) instead of a subscription list, with both.
 */
export const VARIANTS: readonly Omit<SimOptions, 'seed'>[] = [
  ...(['memory', 'sqlite', 'sqlite-gc'] as StoreKind[]).flatMap((store) => [
    { store, crashes: 0, faults: 0 },
    { store, crashes: 3, faults: 0 },
    { store, crashes: 3, faults: 6 },
  ]),
  { store: 'memory', crashes: 3, faults: 6, pubsub: 'exchanges' },
];

async function main(): Promise<number> {
  const only = arg('seed');
  const stores = arg('store') ? [arg('store') as StoreKind] : ['memory', 'sqlite', 'sqlite-gc'];
  const first = Number(arg('from') ?? 1);
  const seeds = only ? [Number(only)] : Array.from({ length: Number(arg('seeds') ?? 100) }, (_, i) => first + i);
  let failed = 0;
  let runs = 0;
  let crashes = 0;
  let faults = 0;
  const started = Date.now();
  for (const seed of seeds) {
    const chosen = VARIANTS.filter(
      (v) =>
        stores.includes(v.store) &&
        (arg('crashes') === undefined || v.crashes === Number(arg('crashes'))) &&
        (arg('faults') === undefined || v.faults === Number(arg('faults'))) &&
        (arg('pubsub') === undefined || (v.pubsub ?? 'rows') === arg('pubsub')),
    );
    for (const variant of chosen) {
      const result = await runSeed({ ...variant, seed, trace: flag('trace'), broken: arg('broken') as SimOptions['broken'] });
      runs++;
      crashes += result.crashes;
      faults += result.faults;
      if (flag('trace')) process.stdout.write(`${result.trace.join('\n')}\n`);
      if (result.problems.length > 0) {
        failed++;
        process.stdout.write(`FAIL seed ${seed} ${JSON.stringify(variant)}: ${result.problems.join('; ')}\n  replay: npm run simulate -- --seed ${seed} --store ${variant.store} --crashes ${variant.crashes} --faults ${variant.faults}${variant.pubsub ? ` --pubsub ${variant.pubsub}` : ''} --trace\n`);
      }
    }
  }
  process.stdout.write(`simulate: ${runs} runs (${seeds.length} seeds), ${crashes} crashes, ${faults} faults, ${failed} failed, ${Math.round((Date.now() - started) / 1000)} s\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1]?.endsWith('main.js')) main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(2);
});
