// The "SQL queues side by side" section of docs/BENCHMARKS.md (issue 16): oncebus's queues in the database
// against graphile-worker, pg-boss and plainjob, measured in the same run, with the targets.
import type { AnchorVersions } from './anchors/versions.js';
import { median } from './median.js';

interface Run {
  readonly messages: number;
  readonly ms: number;
  readonly p99Ms?: number;
  readonly p50Ms?: number;
  readonly enqueuePerSec?: number;
  /** How an anchor was configured (anchor-case.ts prints it); oncebus's rows say it below. */
  readonly settings?: string;
  readonly cpu?: { readonly nodeUs: number; readonly databaseUs?: number; readonly ownDatabaseUs?: number };
}

/** One row: a system's throughput case, its latency case, and whether PostgreSQL does its work. */
interface System {
  readonly label: string;
  readonly throughput: string;
  readonly latency?: string;
  readonly postgres: boolean;
  readonly settings?: string;
}

/** The rows, the anchors labelled with the versions that ran. */
const systems = (v: AnchorVersions): readonly System[] => [
  { label: `graphile-worker ${v['graphile-worker']}`, throughput: 'graphile-worker', latency: 'graphile-worker-latency', postgres: true },
  { label: `pg-boss ${v['pg-boss']}, batches of 1000`, throughput: 'pg-boss', latency: 'pg-boss-latency', postgres: true },
  { label: `pg-boss ${v['pg-boss']}, batches of 5000`, throughput: 'pg-boss-5000', postgres: true },
  {
    label: 'oncebus PostgreSQL queue + PostgreSQL idempotence',
    throughput: 'postgres-queue',
    latency: 'postgres-queue-latency',
    postgres: true,
    settings: 'one row per receive transaction; filled one enqueue at a time, each awaited',
  },
  {
    label: 'oncebus PostgreSQL queue ?batch=100 + group commit',
    throughput: 'postgres-queue-batch',
    latency: 'postgres-queue-batch-latency',
    postgres: true,
    settings: 'batches of 100 rows, idempotence group commit (1 lane, ≤ 64), threadCount as in the case column; filled 1000 enqueues together (bus.sendMany’s path)',
  },
  { label: `plainjob ${v.plainjob} (SQLite)`, throughput: 'plainjob', latency: 'plainjob-latency', postgres: false },
  {
    label: 'oncebus SQLite queue + SQLite idempotence',
    throughput: 'sqlite',
    latency: 'sqlite-latency',
    postgres: false,
    settings: 'synchronous=NORMAL; filled one enqueue at a time, each awaited',
  },
  { label: 'oncebus SQLite queue ?batch=100 + SQLite idempotence, group commit', throughput: 'sqlite-batch', postgres: false, settings: 'batches of 100 rows, group commit (one lane, up to 64); filled 1000 enqueues together' },
];

const rate = (r: Run) => (r.messages / r.ms) * 1000;

/** Rows by case key ("<case> x<threads>"); a case not run reads "not measured". */
export function sqlQueuesSection(groups: ReadonlyMap<string, readonly Run[]>, versions: AnchorVersions): string {
  const find = (name: string) => [...groups.entries()].find(([k]) => k.split(' x')[0] === name);
  const of = (name: string | undefined, f: (r: Run) => number | undefined) => {
    const xs = ((name && find(name)?.[1]) || []).map(f).filter((v): v is number => v !== undefined);
    return xs.length > 0 ? median(xs) : undefined;
  };
  const throughput = (name: string) => of(name, rate);
  const enqueue = (name: string) => of(name, (r) => r.enqueuePerSec);
  const p50 = (name: string | undefined) => of(name, (r) => r.p50Ms);
  const p99 = (name: string | undefined) => of(name, (r) => r.p99Ms);
  const cell = (v: number | undefined) => (v === undefined ? '—' : String(Math.round(v)));

  const row = (s: System) => {
    const found = find(s.throughput);
    const latency = p99(s.latency) === undefined ? '—' : `${cell(p50(s.latency))} / ${cell(p99(s.latency))}`;
    if (!found) return `| ${s.label} | not measured | | | ${latency} | ${s.settings ?? ''} |`;
    const [key, rs] = found;
    const rates = rs.map(rate);
    // SQLite runs inside the Node process: there is no database server to charge.
    const cpu = `${cell(of(s.throughput, (r) => r.cpu?.nodeUs))} / ${s.postgres ? cell(of(s.throughput, (r) => r.cpu?.ownDatabaseUs ?? r.cpu?.databaseUs)) : '—'}`;
    const threads = `x${key.split(' x')[1]}`;
    const settings = s.settings ? `${threads} (threadCount), ${s.settings}` : (rs[0]!.settings ?? threads);
    return `| ${s.label} | ${Math.round(median(rates))} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ${cpu} | ${cell(enqueue(s.throughput))} | ${latency} | ${settings} |`;
  };

  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
  /** "0.60× (met)"; with atMost the target is an upper bound (latency). */
  const verdict = (v: number | undefined, atMost = false) =>
    v === undefined ? 'not measured' : `${v.toFixed(2)}× (${(atMost ? v <= 1 : v >= 1) ? 'met' : '**not met**'})`;
  const over = (a: string, b: string) => verdict(ratio(throughput(a), throughput(b)));
  /** pg-boss at its faster setting this run: the higher median of its two batch sizes (those measured). */
  const pgBossRates = ['pg-boss', 'pg-boss-5000'].map(throughput).filter((v): v is number => v !== undefined);
  const pgBossFastest = pgBossRates.length > 0 ? Math.max(...pgBossRates) : undefined;
  const overPgBoss = (a: string) => verdict(ratio(throughput(a), pgBossFastest));

  return `## SQL queues side by side (issue 16)

The same N ~200-byte no-op jobs in every row, enqueued first, then consumed; consume jobs/s is steady state
(first job handled to last) as the median (min–max) over the rounds; CPU per job by party (µs, medians, Node /
PostgreSQL, read from /proc over the same window — PostgreSQL's the backends serving the system's own connections,
as the server is shared; "—" for SQLite, which runs inside Node); enqueue jobs/s is the
fill before consuming — the anchors with their batch APIs in chunks of 1000 (graphile-worker
\`WorkerUtils.addJobs\`, pg-boss \`insert()\`, plainjob \`addMany\`); latency is enqueue → handler start with jobs
enqueued one by one at 1000/s (5000 jobs) while the worker runs, p50 / p99 ms, medians over the rounds. Every
oncebus row runs with idempotence on — a handler's effects once-only — which none of the others offers.

| system | consume jobs/s (min–max) | CPU µs/job Node / PostgreSQL | enqueue jobs/s | latency p50 / p99 ms | settings |
|---|---|---|---|---|---|
${systems(versions).map(row).join('\n')}

Ratios and targets, this run (medians; oncebus first):
- PostgreSQL queue ≥ 1.0× graphile-worker: per-row queue ${over('postgres-queue', 'graphile-worker')}; ?batch=100 ${over('postgres-queue-batch', 'graphile-worker')}.
- PostgreSQL queue ≥ 1.0× pg-boss at its faster batch size: per-row queue ${overPgBoss('postgres-queue')}; ?batch=100 ${overPgBoss('postgres-queue-batch')}.
- SQLite queue ≥ 1.0× plainjob: per-row queue ${over('sqlite', 'plainjob')}; ?batch=100 + group commit ${over('sqlite-batch', 'plainjob')}.
- Batch send ≥ 1.0× graphile-worker's batch enqueue: 1000 enqueues together (postgres-queue-batch's fill) ${verdict(ratio(enqueue('postgres-queue-batch'), enqueue('graphile-worker')))}; one at a time, each awaited (postgres-queue's fill, not a batch) ${verdict(ratio(enqueue('postgres-queue'), enqueue('graphile-worker')))}.
- Latency at 1000/s, p99 ≤ graphile-worker's (oncebus ÷ graphile-worker): per-row queue ${verdict(ratio(p99('postgres-queue-latency'), p99('graphile-worker-latency')), true)}; ?batch=100 ${verdict(ratio(p99('postgres-queue-batch-latency'), p99('graphile-worker-latency')), true)}.
`;
}
