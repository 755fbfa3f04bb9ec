// Issue 30's targets (Speed II) in docs/BENCHMARKS.md, each with its verdict from the same run: ratios are
// same-round (each run against the other case's run of the same round, as the cases interleave), medians over
// the rounds, so a slow round slows both sides of its ratio alike. A case not run reads "not measured".
import type { AnchorVersions } from './anchors/versions.js';
import { median } from './median.js';

interface Run {
  readonly case: string;
  readonly threads: number;
  readonly messages: number;
  readonly ms: number;
  readonly cpu?: { readonly nodeUs: number; readonly databaseUs?: number; readonly ownDatabaseUs?: number };
}

const rate = (r: Run) => (r.messages / r.ms) * 1000;
const nodeUs = (r: Run) => r.cpu?.nodeUs;
/**
 * Node + PostgreSQL µs per message: PostgreSQL is the backends serving the case's own connections when measured
 * (the server is shared: other clients' load would count otherwise), else the whole server; a case without a
 * database server counts Node alone.
 */
const totalUs = (r: Run) => (r.cpu ? r.cpu.nodeUs + (r.cpu.ownDatabaseUs ?? r.cpu.databaseUs ?? 0) : undefined);

/** The PostgreSQL fast path: the case the queue targets are for, and its tracing variants (another change adds them). */
const FAST_PATH = 'postgres-queue-batch';
/** The suffix of the fast path's and the PostgreSQL anchors' cases with 100,000 jobs waiting. */
const BACKLOG = ':100k';

/** One line of the targets table: what, the figure, the verdict. */
interface Target {
  readonly what: string;
  readonly figure: string;
  readonly verdict: string;
}

/** The section, from every run of the benchmark in run order. */
export function speedTargetsSection(all: readonly Run[], versions: AnchorVersions): string {
  const runsOf = (name: string, threads?: number) => all.filter((r) => r.case === name && (threads === undefined || r.threads === threads));
  /** The i-th run of each case is its run in round i (every case runs once per round). */
  const sameRound = (a: readonly Run[], b: readonly Run[], f: (a: Run, b: Run) => number | undefined): number | undefined => {
    const xs: number[] = [];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const v = f(a[i]!, b[i]!);
      if (v !== undefined && Number.isFinite(v)) xs.push(v);
    }
    return xs.length > 0 ? median(xs) : undefined;
  };
  const div = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined || y === 0 ? undefined : x / y);
  const x = (v: number) => `${v.toFixed(2)}×`;
  const judge = (ok: boolean) => (ok ? 'met' : '**not met**');
  const notMeasured = (what: string): Target => ({ what, figure: 'not measured', verdict: '' });

  /** Throughput of a over b, same round, target ≥ least. */
  const atLeast = (what: string, a: readonly Run[], b: readonly Run[], least: number): Target => {
    const v = sameRound(a, b, (p, q) => rate(p) / rate(q));
    return v === undefined ? notMeasured(what) : { what, figure: x(v), verdict: judge(v >= least) };
  };
  /** CPU per message of a over b's (each read by its own function), same round, target ≤ most. */
  const cpuAtMost = (what: string, a: readonly Run[], fa: (r: Run) => number | undefined, b: readonly Run[], fb: (r: Run) => number | undefined, most: number): Target => {
    const v = sameRound(a, b, (p, q) => div(fa(p), fb(q)));
    if (v === undefined) return notMeasured(what);
    const us = (rs: readonly Run[], f: (r: Run) => number | undefined) => {
      const xs = rs.map(f).filter((u): u is number => u !== undefined);
      return xs.length > 0 ? `${Math.round(median(xs))}` : '—';
    };
    return { what, figure: `${us(a, fa)} µs against ${us(b, fb)} µs: ${x(v)}`, verdict: judge(v <= most) };
  };
  /** Tracing's throughput cost: 1 − traced ÷ untraced, same round; absent cases give no line. */
  const tracingCost = (what: string, traced: string, untraced: string, most: number): Target | null => {
    const t = all.find((r) => r.case === traced);
    if (!t) return null;
    const v = sameRound(runsOf(traced, t.threads), runsOf(untraced, t.threads), (p, q) => rate(p) / rate(q));
    if (v === undefined) return notMeasured(what);
    // Beside the verdict (throughput, as the target says): the Node CPU a message costs more, steadier than
    // a rate on a shared machine where a short case's throughput swings by tens of per cent.
    const cpu = sameRound(runsOf(traced, t.threads), runsOf(untraced, t.threads), (p, q) => div(nodeUs(p), nodeUs(q)));
    const cpuNote = cpu === undefined ? '' : `; Node CPU per message ${cpu >= 1 ? '+' : '−'}${Math.round(Math.abs(cpu - 1) * 100)} %`;
    return { what, figure: `${Math.round((1 - v) * 100)} % (${x(v)} of ${untraced} x${t.threads})${cpuNote}`, verdict: judge(1 - v <= most) };
  };

  const gw = `graphile-worker ${versions['graphile-worker']}`;
  /**
   * The fast path against graphile-worker and pg-boss at its fastest, the cases named with `size` (":100k":
   * 100,000 jobs waiting instead of the run's count; `waiting` says so in each line).
   */
  const fastPathTargets = (size: string, waiting: string): Target[] => {
    const fastPath = runsOf(FAST_PATH + size);
    const graphile = runsOf(`graphile-worker${size}`);
    // pg-boss at its fastest: per round, the faster of its two batch sizes (either may be absent).
    const pgBossBurst = [runsOf(`pg-boss${size}`), runsOf(`pg-boss-5000${size}`)];
    const rounds = Math.max(...pgBossBurst.map((rs) => rs.length));
    const pgBossFastest = Array.from({ length: rounds }, (_, i) =>
      pgBossBurst
        .map((rs) => rs[i])
        .filter((r): r is Run => r !== undefined)
        .reduce((best, r) => (rate(r) > rate(best) ? r : best)),
    );
    const threads = fastPath[0]?.threads;
    const what = `PostgreSQL queue + idempotence (${FAST_PATH}${threads === undefined ? '' : ` x${threads}`}${waiting})`;
    return [
      atLeast(`${what} ≥ 1.0× ${gw}, jobs/s`, fastPath, graphile, 1),
      atLeast(`${what} ≥ 1.0× pg-boss ${versions['pg-boss']} at its fastest (burst; the faster of batches of 1000 and 5000 each round), jobs/s`, fastPath, pgBossFastest, 1),
      cpuAtMost(`${what}: CPU per job, Node + PostgreSQL ≤ ${gw}'s`, fastPath, totalUs, graphile, totalUs, 1),
    ];
  };
  // The issue's size (the run's count) always; with 100,000 waiting when that case ran.
  const backlog = runsOf(`${FAST_PATH}${BACKLOG}`).length > 0 ? fastPathTargets(BACKLOG, ', 100,000 jobs waiting') : [];
  const targets: Target[] = [
    ...fastPathTargets('', ''),
    ...backlog,
    atLeast(`SQLite queue + idempotence (sqlite-batch) ≥ 1.5× plainjob ${versions.plainjob}, jobs/s`, runsOf('sqlite-batch'), runsOf('plainjob'), 1.5),
    cpuAtMost('RabbitMQ without idempotence (rabbitmq x4): Node CPU per message ≤ 1.2× raw amqplib’s', runsOf('rabbitmq', 4), nodeUs, runsOf('raw-amqplib'), nodeUs, 1.2),
    cpuAtMost('RabbitMQ + PostgreSQL group commit (rabbitmq+postgres-gc x100): Node + PostgreSQL CPU ≤ 2× raw amqplib’s Node CPU', runsOf('rabbitmq+postgres-gc', 100), totalUs, runsOf('raw-amqplib'), nodeUs, 2),
    ...[
      tracingCost('Tracing with the SDK recording every span ≤ 15 % cost: memory', 'memory+tracing-sdk', 'memory', 0.15),
      tracingCost('Tracing with the SDK ≤ 15 % cost: RabbitMQ', 'rabbitmq+tracing-sdk', 'rabbitmq', 0.15),
      tracingCost('Tracing with the SDK ≤ 15 % cost: PostgreSQL fast path', `${FAST_PATH}+tracing-sdk`, FAST_PATH, 0.15),
      tracingCost('Tracing with the API only ≤ 3 % cost: memory', 'memory+tracing-api', 'memory', 0.03),
      tracingCost('Tracing with the API only ≤ 3 % cost: PostgreSQL fast path', `${FAST_PATH}+tracing-api`, FAST_PATH, 0.03),
    ].filter((t): t is Target => t !== null),
  ];
  return `Targets of issue 30 (Speed II), this run: same-round ratios, medians over the rounds; CPU per message or
job in µs (medians) and the ratio of each round's pair, PostgreSQL's share being the backends serving the case's
own connections (the server is shared with other load). Tracing's cost is 1 − the traced case's throughput ÷
the same case's without tracing (the verdict), with the Node CPU per message it adds beside it.

| target | this run | verdict |
|---|---|---|
${targets.map((t) => `| ${t.what} | ${t.figure} | ${t.verdict} |`).join('\n')}`;
}
