// The benchmark suite (npm run bench). Every case runs the same workload — N persistent ~200-byte
// messages, prefetch 100 — in a process of its own, cases interleaved over several rounds; figures are
// medians with min–max, and every throughput is also given as a ratio to raw amqplib measured in the same
// run. Writes bench-results/<time>.json and docs/BENCHMARKS.md. npm run bench runs it on Node 24
// (scripts/bench-node24.sh); the report names the Node it ran on and the anchors' installed versions.
//   node dist/test/bench/main.js --messages 20000 --rounds 5
//   node dist/test/bench/main.js --only graphile-worker,postgres-queue --rounds 1   (prints the doc; --write to write it)
//   node dist/test/bench/main.js --only saga,dbos-saga,postgres-queue-batch --rounds 1 --no-services   (the saga section)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { rabbitGroupCommitSection } from './rabbit-group-commit-report.js';
import { sqlQueuesSection } from './sql-queues-report.js';
import { speedTargetsSection } from './speed-targets-report.js';
import { type AnchorVersions, describeVersions, installedVersions } from './anchors/versions.js';
import { httpKeysSection } from './http-keys-report.js';
import { isSagaCase, sagaSection } from './saga-report.js';
import { median } from './median.js';
import { existingScaleSection } from './scale-report.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MESSAGES = arg('messages', 20000);
const ROUNDS = arg('rounds', 5);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const CASE = fileURLToPath(new URL('./bench-case.js', import.meta.url));
/** The job queues oncebus's SQL queues are measured against (issue 16), run by their own runner. */
const ANCHOR = fileURLToPath(new URL('./anchors/anchor-case.js', import.meta.url));
const isAnchor = (name: string) => /^(graphile-worker|pg-boss|pg-boss-5000|plainjob)(-latency)?$/.test(name);
/** The saga workload (issue 27): oncebus's saga case, and DBOS Transact running the same process. */
const SAGA = fileURLToPath(new URL('./saga-case.js', import.meta.url));
const DBOS_SAGA = fileURLToPath(new URL('./anchors/dbos-saga.js', import.meta.url));
/** The HTTP Idempotency-Key cases (issue 28): a Fastify API and its load client, run by their own runner. */
const HTTP_CASE = fileURLToPath(new URL('./http/http-case.js', import.meta.url));
const isHttp = (name: string) => name.startsWith('http-');

interface Result {
  case: string;
  threads: number;
  messages: number;
  ms: number;
  rss: number;
  p50Ms?: number;
  p99Ms?: number;
  rate?: number;
  enqueuePerSec?: number;
  cpu?: { nodeUs: number; nodeSystemUs: number; brokerUs?: number; databaseUs?: number };
  /** The saga cases: handler re-runs after version conflicts; DBOS's settings. */
  reruns?: number;
  settings?: string;
}

const cases: [string, number][] = [
  ['raw-amqplib', 1],
  ['node-ts-bus', 4],
  ['memory', 4],
  ['memory+tracing-api', 4],
  ['memory+tracing-sdk', 4],
  ['rabbitmq+tracing-sdk', 4],
  ['rabbitmq', 4],
  ['rabbitmq+postgres', 16],
  ['rabbitmq+postgres-gc', 100],
  ['postgres-queue', 8],
  // The fast path at the documented threadCount: twice group commit's batch of 64 (docs/group-commit.md).
  ['postgres-queue-batch', 128],
  ['postgres-queue-batch+tracing-api', 128],
  ['postgres-queue-batch+tracing-sdk', 128],
  // The same through a transaction pooler: the pooler mode on the server itself, then through PgBouncer.
  ['postgres-queue-batch-unnamed', 64],
  ['postgres-queue-batch-pgbouncer', 64],
  ['sqlite', 4],
  ['sqlite-batch', 64],
  ['rabbitmq', 1],
  ['rabbitmq', 16],
  ['rabbitmq', 64],
  ['rabbitmq@2', 4],
  ['rabbitmq+postgres-gc@2', 100],
  ['rabbitmq-latency', 4],
  ['rabbitmq+postgres-gc-latency', 16],
  ['sqlite-latency', 4],
  ['postgres-queue-latency', 8],
  ['postgres-queue-batch-latency', 64],
  // The anchors (issue 16): threads are graphile-worker's concurrentJobs, pg-boss's workers, plainjob's workers.
  // pg-boss twice (issue 30): batches of 1000 and of 5000, both fetching on at once while a batch comes back full.
  ['graphile-worker', 24],
  ['pg-boss', 2],
  ['pg-boss-5000', 2],
  ['plainjob', 1],
  // Issue 30's fast path and PostgreSQL anchors again with 100,000 jobs waiting (":100k"): a 20k drain lasts 1–2 s,
  // so warming up (V8 compiling the hot paths) weighs in every figure, and each system's cost with a larger
  // table shows only here.
  ['postgres-queue-batch:100k', 128],
  ['graphile-worker:100k', 24],
  ['pg-boss:100k', 2],
  ['pg-boss-5000:100k', 2],
  ['graphile-worker-latency', 24],
  ['pg-boss-latency', 2],
  ['plainjob-latency', 1],
  // The saga workload (issue 27), in instances: threads are the endpoint's threadCount, DBOS's systemDatabasePoolSize (its default).
  ['saga', 64],
  ['dbos-saga', 10],
  // HTTP Idempotency-Keys (issue 28): threads are the requests the load client keeps in flight.
  ['http-plain', 16],
  ['http-bus', 16],
  ['http-keyed', 16],
];
/** `--only a,b`: run just these cases (by name), and print the report instead of rewriting docs/BENCHMARKS.md unless `--write`. */
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? new Set((process.argv[onlyIndex + 1] ?? '').split(',').filter(Boolean)) : null;
if (only) {
  // A misspelt name would otherwise just measure nothing.
  const unknown = [...only].filter((name) => !cases.some(([known]) => known === name));
  if (unknown.length > 0 || only.size === 0) {
    process.stderr.write(`--only: unknown case(s) ${unknown.join(', ') || '(none given)'}; known: ${[...new Set(cases.map(([name]) => name))].join(', ')}\n`);
    process.exit(2);
  }
  cases.splice(0, cases.length, ...cases.filter(([name]) => only.has(name)));
}

/** @node-ts/bus drains at well under 100 msg/s here, so it gets fewer messages (its rate is still per second). */
const NODE_TS_MESSAGES = Math.min(MESSAGES, 1000);
/** Latency cases send at a fixed rate, so their duration is count / rate: 5000 messages at 1000 msg/s = 5 s. */
const LATENCY_MESSAGES = Math.min(MESSAGES, 5000);
/** Saga instances per saga case (3 inputs each): DBOS drains about 150 a second here. */
const SAGA_INSTANCES = arg('instances', 5000);
/** The HTTP cases answer a few hundred requests/s here (a transaction or two per request): 5000 requests each. */
const HTTP_REQUESTS = Math.min(MESSAGES, 5000);
/**
 * The memory cases drain 20k messages in a quarter of a second, too short a window to tell a 3 % cost (the
 * API-only tracing target) from the machine's noise: they get five times the messages.
 */
const MEMORY_MESSAGES = MESSAGES * 5;

/** `case:100k`: the case with that many thousand messages waiting instead of --messages. */
function sizedCase(name: string): { base: string; count?: number } {
  const m = /^(.+):(\d+)k$/.exec(name);
  return m ? { base: m[1]!, count: Number(m[2]) * 1000 } : { base: name };
}

function runCase(sizedName: string, threads: number): Result {
  const { base: name, count: sized } = sizedCase(sizedName);
  const count = sized !== undefined ? sized : name === 'node-ts-bus' ? NODE_TS_MESSAGES : name.endsWith('-latency') ? LATENCY_MESSAGES : isSagaCase(name) ? SAGA_INSTANCES : isHttp(name) ? HTTP_REQUESTS : name.startsWith('memory') ? MEMORY_MESSAGES : MESSAGES;
  const runner = isAnchor(name) ? ANCHOR : name === 'saga' ? SAGA : name === 'dbos-saga' ? DBOS_SAGA : isHttp(name) ? HTTP_CASE : CASE;
  const run = () => execFileSync(process.execPath, [runner, name, String(count), String(threads)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  let out: string;
  try {
    out = run();
  } catch (error) {
    // One case dying (a broker connection reset under load) would lose every figure of the run: run it once more.
    process.stderr.write(`${name} x${threads} failed (${String(error).split('\n')[0]}); running it once more\n`);
    out = run();
  }
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as Result;
  return { ...result, case: sizedName };
}


/** `--report <results.json>` rewrites docs/BENCHMARKS.md from an earlier run's results instead of measuring. */
const reportIndex = process.argv.indexOf('--report');
const earlier =
  reportIndex > 0 ? (JSON.parse(readFileSync(process.argv[reportIndex + 1]!, 'utf8')) as { results: Result[]; node?: string; versions?: AnchorVersions }) : null;
/** What the figures were measured with: this process's Node and the anchors installed, or an earlier run's. */
const node = earlier?.node ?? process.version;
const versions = earlier?.versions ?? installedVersions(root);
if (!earlier && !process.argv.includes('--no-services')) execFileSync('bash', ['scripts/services.sh', 'start'], { cwd: root, stdio: 'ignore' });

const all: Result[] = earlier ? earlier.results : [];
for (let round = 1; !earlier && round <= ROUNDS; round++) {
  for (const [name, threads] of cases) {
    const r = runCase(name, threads);
    all.push(r);
    process.stderr.write(`round ${round}: ${name} x${threads}: ${Math.round((r.messages / r.ms) * 1000)} ${isSagaCase(name) ? 'instances' : isHttp(name) ? 'requests' : 'msg'}/s, ${Math.round(r.rss / 1e6)} MB\n`);
  }
}

const key = (r: { case: string; threads: number }) => `${r.case} x${r.threads}`;
const groups = new Map<string, Result[]>();
for (const r of all) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
const rate = (r: Result) => (r.messages / r.ms) * 1000;
const rawRates = all.filter((r) => r.case === 'raw-amqplib').map(rate);
const raw = median(rawRates);
const isLatency = (k: string) => k.includes('-latency');
/** Cases counted in saga instances or in HTTP requests: their own sections, not the per-message tables. */
const isSagaKey = (k: string) => isSagaCase(k.split(' x')[0]!);
const ownSection = (k: string) => isSagaKey(k) || isHttp(k);
// Each case against the raw floor of its own round (results are in run order, one round after another).
const perRound = all.length / ROUNDS_IN(all);
function ROUNDS_IN(results: Result[]): number {
  return results.filter((r) => r.case === 'raw-amqplib').length || 1;
}
const pairedRatio = (r: Result) => {
  const i = all.indexOf(r);
  const rawOfRound = all.slice(Math.floor(i / perRound) * perRound).find((x) => x.case === 'raw-amqplib');
  return rawOfRound ? rate(r) / rate(rawOfRound) : Number.NaN;
};
const rows = [...groups.entries()].filter(([k]) => !isLatency(k) && !ownSection(k)).map(([k, rs]) => {
  const rates = rs.map(rate);
  return {
    case: k,
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    ratio: median(rates) / raw,
    paired: median(rs.map(pairedRatio)),
    best: rawRates.length > 0 ? Math.max(...rates) / Math.max(...rawRates) : Number.NaN,
    rssMb: Math.max(...rs.map((r) => r.rss)) / 1e6,
  };
});

// NaN when raw amqplib was not run (--only without it).
const x = (v: number) => (Number.isNaN(v) ? '—' : `${v < 0.1 ? v.toFixed(3) : v.toFixed(2)}×`);
const ratioOf = (k: string) => rows.find((r) => r.case === k)?.ratio;
const pairedOf = (k: string) => rows.find((r) => r.case === k)?.paired;
const fmt = (v: number | undefined) => (v === undefined ? 'not measured' : x(v));
const verdict = (v: number | undefined, target: number) => (v === undefined || Number.isNaN(v) ? '' : v >= target ? 'met' : '**not met**');
const bestOf = (k: string) => rows.find((r) => r.case === k)?.best;
const target = (k: string, t: number) =>
  ratioOf(k) === undefined
    ? 'not measured'
    : `${fmt(ratioOf(k))} (${verdict(ratioOf(k), t)}), same-round ${fmt(pairedOf(k))} (${verdict(pairedOf(k), t)}), best of rounds ${fmt(bestOf(k))} (${verdict(bestOf(k), t)})`;
const targets = `Targets of issue 6, this run: RabbitMQ without idempotence ≥ 0.8× — x4 ${target('rabbitmq x4', 0.8)};
RabbitMQ with PostgreSQL idempotence ≥ 0.5× — group commit ${target('rabbitmq+postgres-gc x100', 0.5)}
(one transaction per message: ${fmt(ratioOf('rabbitmq+postgres x16'))}).

Why three ratios: on this VM the broker drains a filled queue in one of two modes, from one run to the next
with nothing changed, and the RabbitMQ column of the CPU table below shows it — in the slow mode beam.smp
spends 2.5–4 times the CPU per message (the min–max there), for raw amqplib and oncebus alike, while the Node
side's CPU per message barely moves. It is the broker's own state per queue: it stays with one scheduler
thread (\`+S 1\`), with classic queues v2 and with longer pauses after filling. A median ratio therefore also
depends on which mode each median fell in; the same-round column pairs each run with the floor measured just
before it; "best of rounds" compares each case's fastest round with the floor's fastest — like with like, as
interference here only ever slows a run down.`;

/** A case's median of same-round ratios to another case (both run once per round, interleaved). */
const sameRound = (k: string, base: string): number | undefined => {
  const a = groups.get(k);
  const b = groups.get(base);
  if (!a || !b) return undefined;
  const ratios = a.map((r, i) => (b[i] ? b[i]!.ms / r.ms : undefined)).filter((v): v is number => v !== undefined);
  return ratios.length > 0 ? median(ratios) : undefined;
};
const telemetry = `Tracing overhead (issue 13; TracingModule, each case against the same case without it, same-round
throughput ratios, medians): memory x4 with only the API (no SDK) ${fmt(sameRound('memory+tracing-api x4', 'memory x4'))},
with the SDK recording every span (batch processor, exporter dropping them) ${fmt(sameRound('memory+tracing-sdk x4', 'memory x4'))};
RabbitMQ x4 with the SDK ${fmt(sameRound('rabbitmq+tracing-sdk x4', 'rabbitmq x4'))}; the PostgreSQL queue's fast path (batch=100, group commit,
x128) with the API only ${fmt(sameRound('postgres-queue-batch+tracing-api x128', 'postgres-queue-batch x128'))}, with the SDK
${fmt(sameRound('postgres-queue-batch+tracing-sdk x128', 'postgres-queue-batch x128'))}. Targets (issue 30): ≥ 0.97× with the API only, ≥ 0.85× with
the SDK (one span per message by default: the consumer span; handler spans are opt-in). The memory transport costs the bus about 11–15 µs of CPU per message, so there a span's few µs weigh
most; see the CPU table for the µs per message each adds.`;

const latencyGroups = [...groups.entries()].filter(([k]) => isLatency(k));
const latencyRate = latencyGroups[0]?.[1][0]?.rate ?? '?';
const latencyCount = latencyGroups[0]?.[1][0]?.messages ?? '?';
const latencyTable = latencyGroups
  .map(([k, rs]) => {
    const p50 = rs.map((r) => r.p50Ms ?? 0);
    const p99 = rs.map((r) => r.p99Ms ?? 0);
    return `| ${k.replace('-latency', '')} | ${median(p50)} (≤ ${Math.max(...p50)}) | ${median(p99)} (≤ ${Math.max(...p99)}) |`;
  })
  .join('\n');

/** Medians of CPU µs per message by party, for the throughput cases that report it. */
const cpuTable = [...groups.entries()]
  .filter(([k, rs]) => !isLatency(k) && !ownSection(k) && rs.every((r) => r.cpu))
  .map(([k, rs]) => {
    const m = (f: (c: NonNullable<Result['cpu']>) => number | undefined) => {
      const xs = rs.map((r) => f(r.cpu!)).filter((v): v is number => v !== undefined);
      return xs.length === rs.length ? median(xs) : undefined;
    };
    const parts = [m((c) => c.nodeUs), m((c) => c.nodeSystemUs), m((c) => c.brokerUs), m((c) => c.databaseUs)];
    const total = (parts[0] ?? 0) + (parts[2] ?? 0) + (parts[3] ?? 0);
    // Node's figure has a decimal (process.cpuUsage counts µs); a sum of decimals is rounded back to one.
    const cell = (v: number | undefined) => (v === undefined ? '—' : String(Math.round(v * 10) / 10));
    const broker = rs.map((r) => r.cpu!.brokerUs ?? 0);
    const brokerCell = parts[2] === undefined ? '—' : `${parts[2]} (${Math.min(...broker)}–${Math.max(...broker)})`;
    return `| ${k} | ${cell(parts[0])} | ${cell(parts[1])} | ${brokerCell} | ${cell(parts[3])} | ${cell(total)} |`;
  })
  .join('\n');

const sqlQueues = sqlQueuesSection(groups, versions);
const speedTargets = speedTargetsSection(all, versions);
const rabbitGroupCommit = rabbitGroupCommitSection(all);
const sagas = sagaSection(groups);
const httpKeys = httpKeysSection(groups);

// The scale-out section is written by npm run bench:scale (scale.ts): kept as it is.
let scaleSection = '';
try {
  scaleSection = existingScaleSection(readFileSync(`${root}docs/BENCHMARKS.md`, 'utf8'));
} catch {
  // No doc yet.
}

const when = new Date().toISOString();
if (!earlier) {
  mkdirSync(`${root}bench-results`, { recursive: true });
  writeFileSync(`${root}bench-results/${when.replace(/[:.]/g, '-')}.json`, JSON.stringify({ when, node, versions, cpus: cpus().length, messages: MESSAGES, rounds: ROUNDS, results: all, summary: rows }, null, 2));
}
const table = rows
  .map((r) => `| ${r.case} | ${Math.round(r.median)} | ${Math.round(r.min)}–${Math.round(r.max)} | ${x(r.ratio)} | ${x(r.paired)} | ${x(r.best)} | ${Math.round(r.rssMb)} |`)
  .join('\n');
const doc = `# Benchmarks

Measured by \`npm run bench\` (\`test/bench/\`) on ${when.slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}),
${Math.round(totalmem() / 2 ** 30)} GiB, Node ${node} (\`npm run bench\` runs every case on Node 24 through \`scripts/bench-node24.sh\`,
whatever Node runs npm), RabbitMQ and PostgreSQL on the same machine (started by \`scripts/services.sh\`); against
${describeVersions(versions)}. Workload: ${MESSAGES} persistent messages of about 200 bytes, filled into the queue
first (the same envelope bytes for every case), a 1 s pause, then consumed; prefetch 100; ${ROUNDS} rounds with
the cases interleaved; each case in a process of its own. Throughput is steady state — from the first message
handled to the last, so connecting and starting are outside the clock for every case — as the median (min–max)
over the rounds; the ratio is to raw amqplib consume + ack of the same messages in the same run (the floor). "xN" is the endpoint's threadCount. Numbers on a
2-core machine shared by broker, database and Node are noisy (±30 %).

| case | msg/s (median) | min–max | × raw amqplib (medians) | × raw, same round (median) | × raw, best of rounds | peak RSS MB |
|---|---|---|---|---|---|---|
${table}

${targets}

${speedTargets}

${telemetry}

Where the time goes: CPU per message (µs, medians over the rounds) in the steady window, by party — this Node
process (of which the kernel's share, system time, is also shown), the broker (beam.smp) and the database (every
postgres process); read from /proc, so "—" means the server is not on this machine or not used. The machine
has ${cpus().length} cores for all three, so a case's throughput cannot pass ${cpus().length} × 10⁶ / total msg/s.

| case | Node | of which system | RabbitMQ (min–max) | PostgreSQL | total |
|---|---|---|---|---|---|
${cpuTable}

${rabbitGroupCommit}

Latency at a fixed offered load: ${latencyRate} msg/s sent for ${latencyCount} messages while the endpoint runs (sent
with \`bus.send\` to its own inbox, not awaited one by one), send → handled, medians (and worst) over the rounds:

| case | p50 ms | p99 ms |
|---|---|---|
${latencyTable}

Cases: **raw-amqplib** — amqplib consume + ack, nothing else; **node-ts-bus** — @node-ts/bus (bus-core ${versions['@node-ts/bus-core']} +
bus-rabbitmq) over the same broker with an equivalent no-op handler, concurrency 4, its defaults otherwise (it
reads with basic.get, one broker round trip per message; it gets ${NODE_TS_MESSAGES}
messages instead of ${MESSAGES} because of its rate); **memory** — the oncebus pipeline over
\`memory://\` (no I/O; ${MEMORY_MESSAGES} messages, a window long enough to measure a few per cent); **rabbitmq** — an oncebus endpoint over RabbitMQ, idempotence off; **rabbitmq+postgres**
— the same with PostgreSQL idempotence (one transaction per message); **rabbitmq+postgres-gc** — the same
with group commit (\`docs/group-commit.md\`: one lane, batches of up to 64, threadCount 100 = the prefetch); **postgres-queue** — a PostgreSQL queue
table with PostgreSQL idempotence in the same database; **sqlite** — the embedded default (SQLite queue and
idempotence in one file, synchronous=NORMAL).

Every RabbitMQ case has one consumer per process with prefetch 100 (an oncebus endpoint's receive loops share
it). oncebus acknowledges coalesced (one \`basic.ack\` with \`multiple\` per turn of the event loop for the
settled prefix); the raw amqplib floor acks one by one, as a plain consumer does — which is how an oncebus
endpoint can pass the floor.

${sqlQueues}
${sagas}
**@2**: the same endpoint in two processes competing on the queue (each with the threadCount shown); the
clock runs from both starting to the last message handled by either; RSS is the sum of both.
${httpKeys ? `\n${httpKeys}` : ''}
${scaleSection ? `\n${scaleSection}\n` : ''}`;
if (!only || process.argv.includes('--write')) writeFileSync(`${root}docs/BENCHMARKS.md`, doc);
// (bench-results/ is not committed; copy a run worth keeping to docs/bench/ and name it in BENCHMARKS.md.)
process.stdout.write(`${doc}\n`);
