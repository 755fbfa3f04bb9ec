// The backlog bench (npm run bench:backlog; issue 30): consume rate and peak RSS with 20k, 200k and 1M
// messages waiting, for the PostgreSQL and SQLite queues' fast path and RabbitMQ. Each run is a bench case
// in "@1" mode (test/bench/bench-case.ts): the parent fills the queue in bulk, then one child process of its
// own consumes it all — so the peak RSS reported is the consumer's, not the fill's.
// Writes bench-results/backlog-<time>.json and, with --write, the backlog section of docs/scaling.md.
//   node dist/test/bench/backlog.js --backlogs 20000,200000,1000000 --rounds 1 --write
//   node dist/test/bench/backlog.js --backlogs 2000,20000 --only sqlite           (a pilot)
//   node dist/test/bench/backlog.js --only postgresql --keep bench-results/backlog-….json --write
//     (measures one transport again; the others' rows come from the earlier run's file)
//   node dist/test/bench/backlog.js --only none --keep bench-results/backlog-….json --write   (rewrites the section)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BacklogResult, type BacklogSummary, backlogSection, replaceBacklogSection } from './backlog-report.js';
import { median } from './median.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const BACKLOGS = arg('backlogs', '20000,200000,1000000').split(',').map(Number);
const ROUNDS = Number(arg('rounds', '1'));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const CASE = fileURLToPath(new URL('./bench-case.js', import.meta.url));

/** The transports: the bench cases of `npm run bench` with their threadCount. */
const TRANSPORTS = [
  { transport: 'postgresql', case: 'postgres-queue-batch', threads: 64 },
  { transport: 'sqlite', case: 'sqlite-batch', threads: 64 },
  { transport: 'rabbitmq', case: 'rabbitmq', threads: 4 },
].filter((t) => arg('only', 'postgresql,sqlite,rabbitmq').split(',').includes(t.transport));

/** A 1M run fills for a minute or two and drains for a few more; one that hangs is stopped and recorded as failed. */
const RUN_TIMEOUT_MS = 30 * 60_000;

function runCase(t: (typeof TRANSPORTS)[number], messages: number, round: number): BacklogResult {
  try {
    const out = execFileSync(process.execPath, [CASE, `${t.case}@1`, String(messages), String(t.threads)], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, BENCH_HEAP: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as Omit<BacklogResult, 'transport' | 'round'>;
    return { transport: t.transport, case: t.case, threads: t.threads, messages, round, ms: r.ms, rss: r.rss, heapAfterGc: r.heapAfterGc, enqueuePerSec: r.enqueuePerSec, cpu: r.cpu };
  } catch (error) {
    const reason = String((error as { stderr?: string }).stderr || error).split('\n').find((l) => /Error/.test(l)) ?? String(error);
    return { transport: t.transport, case: t.case, threads: t.threads, messages, round, ms: Number.NaN, rss: 0, failed: reason.slice(0, 300) };
  }
}

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const KEEP = arg('keep', '');
/** With --keep: an earlier run's rows of the transports not measured now. */
const earlier = KEEP ? (JSON.parse(readFileSync(KEEP, 'utf8')) as BacklogSummary) : null;
const kept = (earlier?.results ?? []).filter((r) => !TRANSPORTS.some((t) => t.transport === r.transport)).map((r) => ({ ...r, when: earlier!.when }));
const results: BacklogResult[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const t of TRANSPORTS) {
    for (const n of BACKLOGS) {
      const r = runCase(t, n, round);
      results.push(r);
      say(
        r.failed
          ? `round ${round}: ${t.transport} ${n}: failed: ${r.failed}`
          : `round ${round}: ${t.transport} ${n}: ${Math.round((n / r.ms) * 1000)} msg/s, peak RSS ${Math.round(r.rss / 1048576)} MB, heap after GC ${Math.round((r.heapAfterGc ?? 0) / 1048576)} MB, fill ${r.enqueuePerSec} msg/s, cpu ${JSON.stringify(r.cpu)}`,
      );
    }
  }
}

const when = new Date().toISOString();
mkdirSync(`${root}bench-results`, { recursive: true });
// --only none --keep <file>: writes the earlier run's section again (its rows and its time), measuring nothing.
const rendering = TRANSPORTS.length === 0 && earlier !== null;
const summary = rendering
  ? earlier
  : { when, node: process.version, cpus: cpus().length, rounds: ROUNDS, results: [...results, ...kept], ...(KEEP && { kept: KEEP }) };
if (!rendering) writeFileSync(`${root}bench-results/backlog-${when.replace(/[:.]/g, '-')}.json`, JSON.stringify(summary, null, 2));
const section = backlogSection(summary, median);
if (process.argv.includes('--write')) {
  const path = `${root}docs/scaling.md`;
  writeFileSync(path, replaceBacklogSection(readFileSync(path, 'utf8'), section));
}
process.stdout.write(`${section}\n`);
