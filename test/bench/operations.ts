// The operations store at 10,000 failed messages (npm run bench:operations): how fast the pages the CLI and
// the dashboard show answer — the first and a deep page of the list, a search that hits and one that
// misses, the groups, one message — on SQLite and PostgreSQL. Each figure is the median of 30 calls, with
// a ratio to the floor the same database reaches in the same run (50 rows read by primary key). Writes
// docs/bench/operations.md.
//   node dist/test/bench/operations.js [--records 10000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { FailedMessageStore } from '../../src/operations/errors/failed-message-store.js';

import type { SqlDatabase } from '../../src/stores/sql/sql-database.js';
import { SOURCE_QUEUE_HEADER } from '../../src/envelope/oncebus-headers.js';

const i = process.argv.indexOf('--records');
const RECORDS = i > 0 ? Number(process.argv[i + 1]) : 10_000;
const CALLS = 30;
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A failed message as an endpoint leaves it: 20 message types × 5 faults, ids and numbers in the text. */
function failed(n: number): Uint8Array {
  const tm = emptyTransportMessage();
  tm.messageId = `msg-${n.toString().padStart(6, '0')}`;
  tm.messageType = `shop.Command${n % 20}`;
  tm.sendDate = Date.now();
  tm.message = Buffer.from(JSON.stringify({ orderId: n, lines: [{ sku: `SKU-${n % 97}`, qty: 1 + (n % 3) }] }));
  tm.headers[SOURCE_QUEUE_HEADER] = `rabbitmq://mq/orders-${n % 4}`;
  const fault = ['warehouse offline', 'customer not found', 'timeout after 30s', 'price changed', 'card declined'][n % 5];
  for (let a = 0; a < 3; a++) tm.failureMessages.push(`2026-12-03T10:00:0${a}.000Z orders Error: ${fault} for order ${n} (attempt ${a + 1})`);
  return serializeTransportMessage(tm);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let c = 0; c < CALLS; c++) {
    const t = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

async function measure(kind: string, database: SqlDatabase, namespace: string): Promise<string[]> {
  const store = new FailedMessageStore(database, namespace);
  await store.ready();
  const t0 = Date.now();
  for (let n = 0; n < RECORDS; n++) await store.ingest(failed(n), 'rabbitmq://mq/orders-error', Date.now());
  const ingestMs = Date.now() - t0;
  const table = database.dialect === 'sqlite' ? `${namespace}ops_failed_messages` : `${namespace}.failed_messages`;
  const [some] = await database.query<{ id: string }>(`SELECT id FROM ${table} LIMIT 1`);
  const [group] = await store.groups();
  // What is measured must be what a user gets: a found message, a group's page, a search's hits.
  if ((await store.get(some!.id))?.actions === undefined) throw new Error('show found nothing');
  if ((await store.list({ search: 'declined', limit: 50 })).messages.length !== 50) throw new Error('the search found too little');
  const ids = (await database.query<{ id: string }>(`SELECT id FROM ${table} LIMIT 50`)).map((r) => r.id);
  const inList = ids.map((_, k) => `$${k + 1}`).join(', ');
  const floor = await timed(() => database.query(`SELECT * FROM ${table} WHERE id IN (${inList})`, ids));
  const cases: [string, () => Promise<unknown>][] = [
    ['list, page 1 (50)', () => store.list({ limit: 50 })],
    ['list, page 100 (50)', () => store.list({ limit: 50, offset: 99 * 50 })],
    ['list of one group, page 1', () => store.list({ groupId: group!.id, limit: 50 })],
    ['search that hits ("declined")', () => store.list({ search: 'declined', limit: 50 })],
    ['search that misses', () => store.list({ search: 'no such words', limit: 50 })],
    ['groups', () => store.groups()],
    ['one message (show)', () => store.get(some!.id)],
  ];
  const rows = [`| ${kind}: ingest ${RECORDS} | ${ingestMs} ms in all | ${Math.round((RECORDS / ingestMs) * 1000)} records/s | |`, `| ${kind}: floor (50 rows by key) | ${floor.toFixed(2)} ms | 1.0× | |`];
  for (const [name, run] of cases) {
    const ms = await timed(run);
    rows.push(`| ${kind}: ${name} | ${ms.toFixed(2)} ms | ${(ms / floor).toFixed(1)}× | ${ms < 200 ? 'under 200 ms' : 'OVER 200 ms'} |`);
  }
  return rows;
}

if (!process.argv.includes('--no-services')) execFileSync('bash', ['scripts/services.sh', 'start'], { cwd: root, stdio: 'ignore' });
const rows: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'oncebus-bench-ops-'));
try {
  const { SqliteDatabase } = await import('../../src/stores/sqlite/sqlite-database.js');
  const sqlite = new SqliteDatabase({ file: join(dir, 'ops.db') });
  rows.push(...(await measure('SQLite', sqlite, 'bench_')));
  await sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const { PostgresDatabase } = await import('../../src/stores/postgres/postgres-database.js');
const pg = new PostgresDatabase({ connectionString: process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus' });
const schema = `bench_ops_${process.pid}`;
try {
  rows.push(...(await measure('PostgreSQL', pg, schema)));
} finally {
  await pg.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await pg.close();
}
const report = `# The operations store at ${RECORDS.toLocaleString('en')} failed messages

Written by \`npm run bench:operations\` (test/bench/operations.ts) on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}.
${RECORDS} failed messages (20 message types × 5 faults, 3 failure lines each) ingested one by one, then each query
called ${CALLS} times; the median, and its ratio to the floor: 50 rows read by primary key in the same database, same run.
What the CLI (\`npx oncebus errors list|groups|show\`) and the dashboard ask. Target: every page under 200 ms.

| case | median | vs floor | |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
writeFileSync(join(root, 'docs/bench/operations.md'), report);
process.stdout.write(report);
