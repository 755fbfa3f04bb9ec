// The "SQL queues side by side" section of docs/BENCHMARKS.md (issue 16): oncebus's queues in the database
// against graphile-worker, pg-boss and plainjob, measured in the same run, with the targets.

interface Run {
  readonly messages: number;
  readonly ms: number;
  readonly p99Ms?: number;
  readonly p50Ms?: number;
  readonly enqueuePerSec?: number;
  readonly settings?: string;
  readonly cpu?: { readonly nodeUs: number; readonly databaseUs?: number };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (r: Run) => (r.messages / r.ms) * 1000;

/** Rows by case key ("<case> x<threads>"); a missing case reads "not measured". */
export function sqlQueuesSection(groups: ReadonlyMap<string, readonly Run[]>): string {
  const find = (name: string) => [...groups.entries()].find(([k]) => k.split(' x')[0] === name)?.[1];
  const throughput = (name: string) => {
    const rs = find(name);
    return rs ? median(rs.map(rate)) : undefined;
  };
  const of = (name: string, f: (r: Run) => number | undefined) => {
    const xs = (find(name) ?? []).map(f).filter((v): v is number => v !== undefined);
    return xs.length > 0 ? median(xs) : undefined;
  };
  const cell = (v: number | undefined, digits = 0) => (v === undefined ? '—' : v.toFixed(digits));
  const row = (label: string, name: string) => {
    const rs = find(name);
    if (!rs) return `| ${label} | not measured | | | |`;
    const rates = rs.map(rate);
    return `| ${label} | ${Math.round(median(rates))} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ${cell(of(name, (r) => r.cpu?.nodeUs))} / ${cell(of(name, (r) => r.cpu?.databaseUs))} | ${cell(of(name, (r) => r.enqueuePerSec))} | ${rs[0]!.settings ?? ''} |`;
  };
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
  const verdict = (v: number | undefined, target: number, atMost = false) =>
    v === undefined ? 'not measured' : `${v.toFixed(2)}× (${(atMost ? v <= target : v >= target) ? 'met' : '**not met**'})`;
  const enqueue = (name: string) => of(name, (r) => r.enqueuePerSec);
  const p99 = (name: string) => of(name, (r) => r.p99Ms);
  const p50 = (name: string) => of(name, (r) => r.p50Ms);
  return `## SQL queues side by side (issue 16)

The same ~200-byte no-op jobs, enqueued first with each system's batch API (chunks of 1000; oncebus:
enqueues started together, as \`bus.sendMany\` does), then consumed; medians (min–max) over the rounds, CPU
per job by party (µs, Node / PostgreSQL; SQLite runs inside Node). Every oncebus row runs with idempotence
on — a handler's effects once-only — which none of the others offers.

| system | consume jobs/s | CPU µs/job Node / PostgreSQL | enqueue jobs/s | settings |
|---|---|---|---|---|
${row('graphile-worker 0.17', 'graphile-worker')}
${row('pg-boss 10', 'pg-boss')}
${row('oncebus PostgreSQL queue + PostgreSQL idempotence, x8 (one row per transaction)', 'postgres-queue')}
${row('oncebus PostgreSQL queue ?batch=100 + group commit, x64', 'postgres-queue-batch')}
${row('plainjob (SQLite)', 'plainjob')}
${row('oncebus SQLite queue + SQLite idempotence, x4', 'sqlite')}
${row('oncebus SQLite queue ?batch=50 + SQLite idempotence, x16', 'sqlite-batch')}

Latency at 1000 jobs/s offered (enqueued one by one while the worker runs; enqueue → handler), ms:
graphile-worker p50 ${cell(p50('graphile-worker-latency'))}, p99 ${cell(p99('graphile-worker-latency'))};
oncebus PostgreSQL queue ?batch=100 p50 ${cell(p50('postgres-queue-batch-latency'))}, p99 ${cell(p99('postgres-queue-batch-latency'))};
oncebus SQLite p50 ${cell(p50('sqlite-latency'))}, p99 ${cell(p99('sqlite-latency'))}.

Targets, this run:
- PostgreSQL queue + PostgreSQL idempotence ≥ 1.0× graphile-worker: ${verdict(ratio(throughput('postgres-queue-batch'), throughput('graphile-worker')), 1)}.
- PostgreSQL queue ≥ 1.0× pg-boss: ${verdict(ratio(throughput('postgres-queue-batch'), throughput('pg-boss')), 1)}.
- SQLite queue + SQLite idempotence ≥ 1.0× plainjob: ${verdict(ratio(throughput('sqlite-batch'), throughput('plainjob')), 1)}.
- Batch send ≥ 1.0× graphile-worker's batch enqueue: ${verdict(ratio(enqueue('postgres-queue-batch'), enqueue('graphile-worker')), 1)}.
- Latency at 1000/s, p99 ≤ graphile-worker's: oncebus ÷ graphile ${verdict(ratio(p99('postgres-queue-batch-latency'), p99('graphile-worker-latency')), 1, true)}.
`;
}
