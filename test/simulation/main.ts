// The deterministic simulator (npm run simulate): seeded runs of several endpoints in competing worker
// processes over the memory transport, with the memory store, SQLite and SQLite with group commit, and two operations processes
// ingesting and returning failed messages, crashing and failing at awaited steps; an oracle checks each run. A failing seed replays exactly:
//   npm run simulate -- --seeds 500            many seeds, every variant
//   npm run simulate -- --seed 42 --store sqlite --trace   one run, with its trace
//   npm run simulate -- --pubsub exchanges                 publish/subscribe by the broker's bindings
//   npm run simulate -- --part sagas --seeds 200           only the saga workload (sim-sagas.ts); --part core: only the rest
//   npm run simulate -- --broken gc-putback-keeps-claim --store sqlite-gc --seeds 40   a known-broken variant: must fail
import { runSeed, type SimOptions } from './run-seed.js';
import { SAGA_BREAKS, type SagaBroken } from './sim-saga-persister.js';
import { runSagaSeed, type SagaSimOptions } from './sim-sagas.js';
import type { Broken, StoreKind } from './sim-world.js';

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

/** The saga workload's variants: calm, crashes, crashes and faults; each store. */
export const SAGA_VARIANTS: readonly Omit<SagaSimOptions, 'seed'>[] = (['memory', 'sqlite', 'sqlite-gc'] as const).flatMap((store) => [
  { store, crashes: 0, faults: 0 },
  { store, crashes: 3, faults: 0 },
  { store, crashes: 3, faults: 6 },
]);

/** Runs and their totals, per part. */
interface Tally {
  runs: number;
  crashes: number;
  faults: number;
  failed: number;
}

async function main(): Promise<number> {
  const only = arg('seed');
  const stores = arg('store') ? [arg('store') as StoreKind] : ['memory', 'sqlite', 'sqlite-gc'];
  const first = Number(arg('from') ?? 1);
  const seeds = only ? [Number(only)] : Array.from({ length: Number(arg('seeds') ?? 100) }, (_, i) => first + i);
  const broken = arg('broken');
  const sagaBroken = (SAGA_BREAKS as readonly string[]).includes(broken ?? '') ? (broken as SagaBroken) : undefined;
  // A saga break is the saga part's; any other break, or pub/sub, the core's.
  const part = arg('part') ?? (sagaBroken ? 'sagas' : broken || arg('pubsub') ? 'core' : 'all');
  const matches = (v: { store: string; crashes?: number; faults?: number }) =>
    stores.includes(v.store) &&
    (arg('crashes') === undefined || v.crashes === Number(arg('crashes'))) &&
    (arg('faults') === undefined || v.faults === Number(arg('faults')));
  const core: Tally & { readyHandOuts: number; openedWithoutIo: number; putBackBatches: number; putBackMembers: number; runsPuttingBack: number } = {
    runs: 0,
    crashes: 0,
    faults: 0,
    failed: 0,
    readyHandOuts: 0,
    openedWithoutIo: 0,
    putBackBatches: 0,
    putBackMembers: 0,
    runsPuttingBack: 0,
  };
  const sagas: Tally & { instances: number; byTimeout: number; byFinish: number; restarts: number } = { runs: 0, crashes: 0, faults: 0, failed: 0, instances: 0, byTimeout: 0, byFinish: 0, restarts: 0 };
  const started = Date.now();
  let sagaMs = 0;
  for (const seed of seeds) {
    const chosen = part === 'sagas' ? [] : VARIANTS.filter((v) => matches(v) && (arg('pubsub') === undefined || (v.pubsub ?? 'rows') === arg('pubsub')));
    for (const variant of chosen) {
      const result = await runSeed({ ...variant, seed, trace: flag('trace'), broken: broken as Broken | undefined });
      core.runs++;
      core.crashes += result.crashes;
      core.faults += result.faults;
      core.readyHandOuts += result.readyHandOuts;
      core.openedWithoutIo += result.openedWithoutIo;
      core.putBackBatches += result.putBacks.batches;
      core.putBackMembers += result.putBacks.members;
      if (result.putBacks.batches > 0) core.runsPuttingBack++;
      if (flag('trace')) process.stdout.write(`${result.trace.join('\n')}\n`);
      if (result.problems.length > 0) {
        core.failed++;
        process.stdout.write(`FAIL seed ${seed} ${JSON.stringify(variant)}: ${result.problems.join('; ')}\n  replay: npm run simulate -- --seed ${seed} --store ${variant.store} --crashes ${variant.crashes} --faults ${variant.faults}${variant.pubsub ? ` --pubsub ${variant.pubsub}` : ''}${broken ? ` --broken ${broken}` : ''} --trace\n`);
      }
    }
    const sagaStarted = Date.now();
    for (const variant of part === 'core' ? [] : SAGA_VARIANTS.filter(matches)) {
      const result = await runSagaSeed({ ...variant, seed, trace: flag('trace'), broken: sagaBroken });
      sagas.runs++;
      sagas.crashes += result.crashes;
      sagas.faults += result.faults;
      sagas.byTimeout += result.byTimeout;
      sagas.byFinish += result.byFinish;
      sagas.instances += result.instances;
      sagas.restarts += result.restarts;
      if (flag('trace')) process.stdout.write(`${result.trace.join('\n')}\n`);
      if (result.problems.length > 0) {
        sagas.failed++;
        process.stdout.write(`FAIL sagas seed ${seed} ${JSON.stringify(variant)}: ${result.problems.join('; ')}\n  replay: npm run simulate -- --part sagas --seed ${seed} --store ${variant.store} --crashes ${variant.crashes} --faults ${variant.faults}${sagaBroken ? ` --broken ${sagaBroken}` : ''} --trace\n`);
      }
    }
    sagaMs += Date.now() - sagaStarted;
  }
  const seconds = (ms: number) => Math.round(ms / 1000);
  if (part !== 'sagas') {
    process.stdout.write(`simulate: ${core.runs} runs (${seeds.length} seeds), ${core.crashes} crashes, ${core.faults} faults, ${core.failed} failed, ${seconds(Date.now() - started - sagaMs)} s\n`);
    // The paths that run only under some interleavings: show that the runs reached them.
    process.stdout.write(`simulate paths: ${core.readyHandOuts} batched messages handed out without a promise (takeReady); ${core.openedWithoutIo} group-commit members opened without I/O (openUnitOfWork); group commit put back ${core.putBackMembers} members in ${core.putBackBatches} batches, in ${core.runsPuttingBack} runs\n`);
  }
  if (part !== 'core') {
    process.stdout.write(`simulate sagas: ${sagas.runs} runs (${seeds.length} seeds), ${sagas.crashes} crashes, ${sagas.faults} faults, ${sagas.failed} failed, ${seconds(sagaMs)} s; ${sagas.instances} instances: completed by their timeout ${sagas.byTimeout}, by Finish ${sagas.byFinish}, started again by a late starter ${sagas.restarts}\n`);
  }
  return core.failed + sagas.failed === 0 ? 0 : 1;
}

if (process.argv[1]?.endsWith('main.js')) main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(2);
});
