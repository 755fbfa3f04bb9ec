// The scale-out bench (npm run bench:scale; issue 29). Two things, each case in processes of its own:
//  1. The curve: one endpoint in 1, 2, 4 and 8 worker processes competing on one queue, for RabbitMQ +
//     PostgreSQL group-commit idempotence and for the PostgreSQL queue with ?batch + group commit —
//     throughput and CPU per message by party (Node, the broker, PostgreSQL).
//  2. The idempotence store at scale: the RabbitMQ + group commit endpoint against an empty idempotence
//     table, against one holding millions of retained rows of its own inbox (filled with INSERT … SELECT
//     generate_series in a schema of its own, dropped after), and against that table while the retention
//     purge deletes expired rows as fast as it can.
// Writes bench-results/scale-<time>.json and, with --write, the scale section of docs/BENCHMARKS.md.
//   node dist/test/bench/scale.js --messages 40000 --rounds 3 --retained 10000000 --write
//   node dist/test/bench/scale.js --messages 4000 --rounds 1 --processes 1,2 --retained 200000   (a pilot)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { cpuPerMessage, cpuSnapshot } from './cpu-accounting.js';
import { median } from './median.js';
import { replaceScaleSection, type ScaleResult, scaleSection } from './scale-report.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const MESSAGES = Number(arg('messages', '40000'));
const ROUNDS = Number(arg('rounds', '3'));
const PROCESSES = arg('processes', '1,2,4,8').split(',').map(Number);
const RETAINED = Number(arg('retained', '10000000'));
/** Of the retained rows, those whose purge time has passed (the purge run's work). */
const EXPIRED = Math.min(RETAINED, Number(arg('expired', String(Math.round(RETAINED / 5)))));
const only = arg('only', 'curve,retained').split(',');
const root = fileURLToPath(new URL('../../../', import.meta.url));
const CASE = fileURLToPath(new URL('./bench-case.js', import.meta.url));
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
const RABBIT = new URL(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');

/** The curve's cases: threadCount per process as in docs/BENCHMARKS.md, and a pool per process small enough for 8 processes on max_connections 100. */
const CURVE = [
  { case: 'rabbitmq+postgres-gc', threads: 100, pool: 6 },
  { case: 'postgres-queue-batch', threads: 64, pool: 8 },
] as const;

/** The server's WAL position and commits so far: their growth over a run is its WAL bytes and commits (other clients' included). */
const serverCounters = async (): Promise<{ lsn: string; commits: number }> => {
  const [row] = await counters.database.query<{ lsn: string; commits: string }>(
    `SELECT pg_current_wal_lsn()::text AS lsn, (SELECT sum(xact_commit) FROM pg_stat_database)::text AS commits`,
  );
  return { lsn: row!.lsn, commits: Number(row!.commits) };
};
const counters = new PostgresStore({ connectionString: PG, schema: 'public', poolSize: 1, migrate: false });

async function runCase(caseArg: string, threads: number, env: Record<string, string>): Promise<ScaleResult> {
  const before = await serverCounters();
  const result = runCaseProcess(caseArg, threads, env);
  if (result.failed) return result;
  const after = await serverCounters();
  const [wal] = await counters.database.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff($1, $2)::text AS bytes`, [after.lsn, before.lsn]);
  // Per message, over the whole process (the fill of a PostgreSQL queue included: 1 commit per 1000 messages).
  return { ...result, walBytesPerMessage: Math.round(Number(wal!.bytes) / result.messages), commitsPerMessage: (after.commits - before.commits) / result.messages };
}

/** A case that fails (the shared server out of connections, say) is recorded as failed and left out of the medians, not the end of the run. */
function runCaseProcess(caseArg: string, threads: number, env: Record<string, string>): ScaleResult & { failed?: string } {
  try {
    const out = execFileSync(process.execPath, [CASE, caseArg, String(MESSAGES), String(threads)], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as ScaleResult;
  } catch (error) {
    const reason = String((error as { stderr?: string }).stderr ?? error).split('\n').find((l) => /Error/.test(l)) ?? String(error);
    say(`${caseArg} failed: ${reason.slice(0, 300)}`);
    return { case: caseArg, threads, messages: MESSAGES, ms: Number.NaN, rss: 0, failed: reason.slice(0, 300) };
  }
}

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const rate = (r: ScaleResult) => Math.round((r.messages / r.ms) * 1000);
const results: ScaleResult[] = [];

// 1. The curve, rounds interleaved so a noisy minute does not land on one process count only.
if (only.includes('curve')) {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const n of PROCESSES) {
      for (const c of CURVE) {
        const r = { ...(await runCase(`${c.case}@${n}`, c.threads, { BENCH_POOL: String(c.pool) })), round, experiment: 'curve' as const };
        results.push(r);
        say(`round ${round}: ${c.case} x${c.threads} in ${n} process(es): ${rate(r)} msg/s, cpu ${JSON.stringify(r.cpu)}`);
      }
    }
  }
}

// 2. The idempotence table at scale: one schema and queue of fixed names (the rows must carry the inbox's own URI).
const SCHEMA = 'bench_scale_retained';
const QUEUE = 'bench-scale-retained';
const INBOX = `rabbitmq://${RABBIT.username}:${RABBIT.password}@${RABBIT.host}/${QUEUE}?prefetch=100`;
const retainedCase = { case: 'rabbitmq+postgres-gc', threads: 100, pool: 8 };
let fill: { seconds: number; tableMb: number; indexMb: number } | null = null;
const purges: { round: number; deleted: number; seconds: number }[] = [];
/** The purge alone on the full table: the store's own statement, 500 rows at a time, nothing else running from here. */
let purgeAlone: { rows: number; seconds: number; ownUsPerRow: number | undefined; serverUsPerRow: number | undefined; vacuumSeconds: number; vacuumRows: number } | null = null;

let expiredAtFill = 0;

async function measurePurgeAlone(store: PostgresStore): Promise<void> {
  const target = Math.min(100_000, await expiredLeft(store.database));
  if (target === 0) return;
  const sql = store.store.dialect.idempotence.purgeCompleted;
  await store.database.execute('SELECT 1'); // the connection is open before the first snapshot
  const from = cpuSnapshot();
  const started = performance.now();
  let rows = 0;
  while (rows < target) rows += await store.database.execute(sql, [Date.now(), 500]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuPerMessage(from, cpuSnapshot(), rows);
  // The deletes' deferred cost: VACUUM reclaims the dead rows of every purge of this run (autovacuum would, later).
  const vacuumRows = expiredAtFill - (await expiredLeft(store.database));
  const vacuumStarted = performance.now();
  await store.database.execute(`VACUUM ${SCHEMA}.idempotence`);
  const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
  purgeAlone = { rows, seconds, ownUsPerRow: cpu.ownDatabaseUs, serverUsPerRow: cpu.databaseUs, vacuumSeconds, vacuumRows };
  say(`purge alone: ${rows} rows in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s), ${cpu.ownDatabaseUs} µs of its backend per row; VACUUM of ${vacuumRows} dead rows ${vacuumSeconds.toFixed(1)} s`);
}

async function prefill(db: PostgresStore['database']): Promise<void> {
  const started = performance.now();
  const t = `${SCHEMA}.idempotence`;
  const now = Date.now();
  const day = 86_400_000;
  // Without its indexes the fill is a sequential write; they are built once after it (sorted, not row by row).
  await db.execute(`ALTER TABLE ${t} DROP CONSTRAINT idempotence_pkey CASCADE`);
  await db.execute(`DROP INDEX ${SCHEMA}.idempotence_purge, ${SCHEMA}.idempotence_owed`);
  // Completed rows of the last 7 days, as the default retention keeps them; the first EXPIRED ones past their purge time.
  await db.execute(
    `INSERT INTO ${t} (inbox_uri, message_id, status, message_type, created_at, completed_at, purge_after)
     SELECT $1, gen_random_uuid()::text, 'completed', 'bench.Order', c, c, CASE WHEN i <= $3 THEN $4::bigint ELSE c + 7 * $5::bigint END
     FROM generate_series(1, $2::int) AS i, LATERAL (SELECT $6::bigint - ($2::int - i) * (7 * $5::bigint / $2::int)) AS t(c)`,
    [INBOX, RETAINED, EXPIRED, now - day, day, now],
  );
  await db.execute(`SET maintenance_work_mem = '512MB'`);
  await db.execute(`ALTER TABLE ${t} ADD PRIMARY KEY (inbox_uri, message_id)`);
  await db.execute(`CREATE INDEX idempotence_purge ON ${t} (purge_after) WHERE status = 'completed'`);
  await db.execute(`CREATE INDEX idempotence_owed ON ${t} (inbox_uri, created_at) WHERE status = 'handled'`);
  await db.execute(`ALTER TABLE ${SCHEMA}.idempotence_deferred ADD FOREIGN KEY (inbox_uri, message_id) REFERENCES ${t} ON DELETE CASCADE`);
  // What autovacuum would have done to a table grown over days: statistics and the visibility map.
  await db.execute(`VACUUM ANALYZE ${t}`);
  const [size] = await db.query<{ table_mb: number; index_mb: number }>(
    `SELECT pg_table_size('${t}') / 1048576 AS table_mb, pg_indexes_size('${t}') / 1048576 AS index_mb`,
  );
  fill = { seconds: Math.round((performance.now() - started) / 1000), tableMb: Number(size!.table_mb), indexMb: Number(size!.index_mb) };
  say(`prefilled ${RETAINED} rows (${EXPIRED} expired) in ${fill.seconds} s: table ${fill.tableMb} MB, indexes ${fill.indexMb} MB`);
}

const expiredLeft = async (db: PostgresStore['database']): Promise<number> =>
  Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${SCHEMA}.idempotence WHERE status = 'completed' AND purge_after < $1`, [Date.now()]))[0]!.n);

if (only.includes('retained')) {
  // No statement timeout: the fill and the index builds of 10 million rows take a minute or more each.
  const store = new PostgresStore({ connectionString: PG, schema: SCHEMA, poolSize: 2, statementTimeoutMs: 0 });
  try {
    await store.database.execute(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await store.store.ready();
    await prefill(store.database);
    expiredAtFill = await expiredLeft(store.database);
    const fixed = { BENCH_POOL: String(retainedCase.pool), BENCH_QUEUE: QUEUE, BENCH_SCHEMA: SCHEMA };
    for (let round = 1; round <= ROUNDS; round++) {
      const empty = { ...(await runCase(retainedCase.case, retainedCase.threads, { BENCH_POOL: String(retainedCase.pool) })), round, experiment: 'empty' as const };
      results.push(empty);
      say(`round ${round}: empty table: ${rate(empty)} msg/s, cpu ${JSON.stringify(empty.cpu)}`);
      const retained = { ...(await runCase(retainedCase.case, retainedCase.threads, fixed)), round, experiment: 'retained' as const };
      results.push(retained);
      say(`round ${round}: ${RETAINED} retained rows: ${rate(retained)} msg/s, cpu ${JSON.stringify(retained.cpu)}`);
      // The purge every 100 ms: a pass runs batch after batch (500 rows each) for as long as expired rows are left.
      // The purge starts with the endpoint and its stop ends it after the current batch: its rows ÷ the consumption time.
      const before = await expiredLeft(store.database);
      const purging = { ...(await runCase(retainedCase.case, retainedCase.threads, { ...fixed, BENCH_PURGE_MS: '100' })), round, experiment: 'purging' as const };
      const deleted = before - (await expiredLeft(store.database));
      const seconds = purging.ms / 1000;
      results.push({ ...purging, purged: deleted });
      purges.push({ round, deleted, seconds });
      say(`round ${round}: retained + purge: ${rate(purging)} msg/s, ${deleted} rows purged while the endpoint ran (${seconds.toFixed(1)} s consuming), cpu ${JSON.stringify(purging.cpu)}`);
    }
    await measurePurgeAlone(store);
  } finally {
    await store.database.execute(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await store.close();
  }
}

const when = new Date().toISOString();
mkdirSync(`${root}bench-results`, { recursive: true });
const summary = { when, node: process.version, cpus: cpus().length, messages: MESSAGES, rounds: ROUNDS, retained: RETAINED, expired: EXPIRED, fill, purges, purgeAlone, results };
writeFileSync(`${root}bench-results/scale-${when.replace(/[:.]/g, '-')}.json`, JSON.stringify(summary, null, 2));
const section = scaleSection(summary, median);
if (process.argv.includes('--write')) {
  const path = `${root}docs/BENCHMARKS.md`;
  writeFileSync(path, replaceScaleSection(readFileSync(path, 'utf8'), section));
}
process.stdout.write(`${section}\n`);
await counters.close();
process.exit(0);
