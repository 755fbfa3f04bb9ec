// One anchor case of the benchmark in a process of its own: a job queue oncebus is measured against, on
// the same machine and in the same run (issue 16). Prints one JSON line in bench-case.ts's shape.
//   node anchor-case.js <graphile-worker|pg-boss|plainjob>[-latency] <count> <concurrency>
// Workload: <count> no-op jobs of ~200 bytes enqueued first with each system's batch API (enqueuePerSec),
// then consumed; the clock runs from the first job handled to the last. A -latency case enqueues jobs one
// by one at BENCH_RATE per second while the worker runs: enqueue → handler start, p50/p99.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CpuSnapshot, cpuPerMessage, cpuSnapshot } from '../cpu-accounting.js';
import { type Anchor, graphileWorker, pgBoss, plainjob } from './anchors.js';

const [, , caseArg = 'graphile-worker', countArg = '5000'] = process.argv;
const COUNT = Number(countArg);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
const latency = caseArg.endsWith('-latency');
const system = caseArg.replace(/-latency$/, '');

let handled = 0;
let first = 0;
let last = 0;
let cpuFrom: CpuSnapshot | null = null;
let cpuTo: CpuSnapshot | null = null;
const delays: number[] = [];
let finish: () => void = () => undefined;
const allHandled = new Promise<void>((resolve) => (finish = resolve));
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);

/** Every system's handler calls this with the job's enqueue time (ms since epoch). */
function onJob(enqueuedAt: number): void {
  last = performance.now();
  delays.push(Date.now() - enqueuedAt);
  if (handled === 0) {
    first = last;
    cpuFrom = cpuSnapshot();
  }
  if (++handled === COUNT) {
    cpuTo = cpuSnapshot();
    finish();
  }
}

const payload = (): { orderId: string; amount: number; currency: string; at: number } => ({ orderId: 'x'.repeat(120), amount: 42, currency: 'EUR', at: Date.now() });

const dir = mkdtempSync(join(tmpdir(), 'oncebus-anchor-'));
const anchors: Record<string, () => Anchor> = {
  'graphile-worker': () => graphileWorker(PG, onJob),
  'pg-boss': () => pgBoss(PG, onJob),
  plainjob: () => plainjob(join(dir, 'plainjob.db'), onJob),
};
const make = anchors[system];
if (!make) throw new Error(`unknown anchor case ${caseArg}`);
const anchor = make();
await anchor.prepare();

let extra: Record<string, number> = {};
if (latency) {
  await anchor.start();
  const started = Date.now();
  for (let i = 0; i < COUNT; i++) {
    const wait = started + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    void anchor.enqueueOne(payload());
  }
  await allHandled;
  const sorted = [...delays].sort((a, b) => a - b);
  extra = { p50Ms: sorted[Math.floor(sorted.length * 0.5)]!, p99Ms: sorted[Math.floor(sorted.length * 0.99)]!, rate: RATE };
} else {
  const started = performance.now();
  await anchor.enqueueMany(Array.from({ length: COUNT }, payload));
  extra = { enqueuePerSec: Math.round(COUNT / ((performance.now() - started) / 1000)) };
  await new Promise((r) => setTimeout(r, 1000)); // as bench-case: a pause between filling and consuming
  await anchor.start();
  await allHandled;
}
const ms = ((last - first) * COUNT) / Math.max(1, COUNT - 1);
clearInterval(sampler);
const cpu = cpuFrom && cpuTo && !latency ? { cpu: cpuPerMessage(cpuFrom, cpuTo, COUNT - 1) } : {};
await anchor.stop();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ case: caseArg, threads: anchor.concurrency, messages: COUNT, ms, rss: peak, settings: anchor.settings, ...extra, ...cpu })}\n`);
process.exit(0);
