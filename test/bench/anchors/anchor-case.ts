// One anchor case of the benchmark in a process of its own: a job queue oncebus is measured against, on
// the same machine and in the same run (issue 16). Prints one JSON line in bench-case.ts's shape.
//   node anchor-case.js <graphile-worker|pg-boss|pg-boss-5000|plainjob>[-latency] <count> <threads>
// <threads>: graphile-worker's concurrentJobs, pg-boss's workers (batches of 1000, or 5000), plainjob's workers.
// Workload: <count> no-op jobs of ~200 bytes enqueued first with the system's batch API (enqueuePerSec),
// then consumed; the clock runs from the first job handled to the last. A -latency case enqueues jobs one
// by one at BENCH_RATE per second while the worker runs: enqueue → handler start, p50/p99.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CpuSnapshot, cpuPerMessage, cpuSnapshot } from '../cpu-accounting.js';
import type { Anchor, OnJob, Payload } from './anchor.js';
import { graphileWorker } from './graphile-worker.js';
import { pgBoss } from './pg-boss.js';
import { plainjob } from './plainjob.js';

const [, , caseArg = 'graphile-worker', countArg = '5000', threadsArg] = process.argv;
const COUNT = Number(countArg);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
const isLatency = caseArg.endsWith('-latency');
const system = caseArg.replace(/-latency$/, '');

const dir = mkdtempSync(join(tmpdir(), 'oncebus-anchor-'));
/** Each system with the threads it runs at when the command line names none (the settings). */
const systems: Record<string, { threads: number; make: (threads: number, onJob: OnJob) => Anchor }> = {
  'graphile-worker': { threads: 24, make: (threads, onJob) => graphileWorker(PG, threads, onJob) },
  // pg-boss's two settings worth keeping: batches of 1000 and of 5000, both in burst mode.
  'pg-boss': { threads: 2, make: (threads, onJob) => pgBoss(PG, threads, 1000, onJob) },
  'pg-boss-5000': { threads: 2, make: (threads, onJob) => pgBoss(PG, threads, 5000, onJob) },
  plainjob: { threads: 1, make: (threads, onJob) => plainjob(join(dir, 'plainjob.db'), threads, onJob) },
};
const chosen = systems[system];
if (!chosen) throw new Error(`unknown anchor case ${caseArg}`);
const THREADS = threadsArg ? Number(threadsArg) : chosen.threads;

let handled = 0;
let first = 0;
let last = 0;
let cpuFrom: CpuSnapshot | null = null;
let cpuTo: CpuSnapshot | null = null;
const delays: number[] = [];
let finish: () => void = () => undefined;
const allHandled = new Promise<void>((resolve) => (finish = resolve));
let peak = 0;
// As bench-case.ts: the RSS alone, every 20 ms.
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);

/** Every system's handler calls this first: the clock and the CPU window run from the first job to the last. */
function onJob(payload: Payload): void {
  last = performance.now();
  delays.push(Date.now() - payload.at);
  if (handled === 0) {
    first = last;
    cpuFrom = cpuSnapshot();
  }
  if (++handled === COUNT) {
    cpuTo = cpuSnapshot();
    finish();
  }
}

/** The same ~200-byte body as oncebus's cases, stamped with its enqueue time. */
const payload = (): Payload => ({ orderId: 'x'.repeat(120), amount: 42, currency: 'EUR', at: Date.now() });

/** Jobs enqueued one by one at RATE per second while the worker runs; resolves to the whole run's ms. */
async function latencyRun(anchor: Anchor): Promise<number> {
  await anchor.start();
  const started = performance.now();
  const startedAt = Date.now();
  const enqueues: Promise<void>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const wait = startedAt + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Not awaited one by one: the offered load must not depend on each insert's round trip.
    enqueues.push(anchor.enqueueOne(payload()));
  }
  await Promise.all(enqueues);
  await allHandled;
  const sorted = [...delays].sort((a, b) => a - b);
  extra = { p50Ms: sorted[Math.floor(sorted.length * 0.5)]!, p99Ms: sorted[Math.floor(sorted.length * 0.99)]!, rate: RATE };
  return performance.now() - started;
}

/** The queue filled first with the batch API, then drained; resolves to the steady-state ms (as steadyMs in bench-case.ts). */
async function throughputRun(anchor: Anchor): Promise<number> {
  const payloads = Array.from({ length: COUNT }, payload);
  const started = performance.now();
  await anchor.enqueueMany(payloads);
  extra = { enqueuePerSec: Math.round(COUNT / ((performance.now() - started) / 1000)) };
  await new Promise((r) => setTimeout(r, 1000)); // as bench-case: let the database settle before any clock runs
  await anchor.start();
  await allHandled;
  return ((last - first) * COUNT) / Math.max(1, COUNT - 1);
}

let extra: Record<string, number> = {};
const anchor = chosen.make(THREADS, onJob);
let ms: number;
try {
  await anchor.prepare();
  ms = isLatency ? await latencyRun(anchor) : await throughputRun(anchor);
} finally {
  // Its schema (or file) goes even when the run fails, so the next round starts clean.
  await anchor.stop();
  rmSync(dir, { recursive: true, force: true });
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
// CPU per job (the first job's own is outside the window, like its time), throughput cases only, as bench-case.
const cpu = cpuFrom && cpuTo && !isLatency ? { cpu: cpuPerMessage(cpuFrom, cpuTo, COUNT - 1) } : {};
process.stdout.write(`${JSON.stringify({ case: caseArg, threads: THREADS, messages: COUNT, ms, rss: peak, settings: anchor.settings, ...extra, ...cpu })}\n`);
process.exit(0);
