// The PostgreSQL batch take alone at a large backlog (issue 30): a queue table of ROWS rows (INSERT …
// generate_series), autovacuum off on it — the stretch between two vacuums, when the entries of every row
// deleted so far stay at the head of the index — drained through the store's own ?batch=100 queue for
// DRAIN messages by one loop (take, acknowledge; no bus). Prints one JSON line: msg/s, and µs of this
// process and of its own backends per message. Run it alternately from two builds for an A/B:
//   PG_URL=… node dist/test/bench/backlog-take.js 1000000 200000
import { randomUUID } from 'node:crypto';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { cpuPerMessage, cpuSnapshot } from './cpu-accounting.js';

const [, , rowsArg = '1000000', drainArg = '200000'] = process.argv;
const ROWS = Number(rowsArg);
const DRAIN = Number(drainArg);
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
const schema = `bench_take_${randomUUID().slice(0, 6)}`;

const store = new PostgresStore({ connectionString: PG, schema, poolSize: 6, statementTimeoutMs: 0 });
const q = store.queues.create('postgres://default/work?batch=100');
await (q as unknown as { create(): Promise<void> }).create();
const table = `${schema}.q_work`;
await store.database.execute(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
await store.database.execute(
  `INSERT INTO ${table} (message_id, body) SELECT i::text, convert_to(repeat('x', 218), 'UTF8') FROM generate_series(1, $1::int) AS i`,
  [ROWS],
);
// Statistics and the visibility map, as autovacuum would have left a table filled long ago.
await store.database.execute(`VACUUM ANALYZE ${table}`);

await q.getMessage().then((m) => m && q.acknowledge(m.token)); // connections open before the clock
const from = cpuSnapshot();
const started = performance.now();
for (let n = 1; n < DRAIN; n++) {
  const m = await q.getMessage();
  if (!m) throw new Error(`the queue ran dry after ${n} messages`);
  await q.acknowledge(m.token);
}
const ms = performance.now() - started;
const cpu = cpuPerMessage(from, cpuSnapshot(), DRAIN - 1);
const [dead] = await store.database.query<{ n: number }>(`SELECT n_dead_tup::int AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'q_work'`, [schema]);
await q.close();
await store.database.execute(`DROP SCHEMA ${schema} CASCADE`);
await store.close();
process.stdout.write(
  `${JSON.stringify({ rows: ROWS, drained: DRAIN, perSec: Math.round(((DRAIN - 1) / ms) * 1000), nodeUs: cpu.nodeUs, ownDatabaseUs: cpu.ownDatabaseUs, deadAtEnd: dead?.n })}\n`,
);
process.exit(0);
