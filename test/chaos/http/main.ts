// The HTTP Idempotency-Key crash harness: API processes (api.ts: Fastify and oncebus/http/fastify's keyed
// route, which inserts an order row and sends PlaceOrder in its session on PostgreSQL) and a downstream
// endpoint (downstream.ts: handles PlaceOrder idempotently, one effect row per command). A client fires R
// keyed requests (about one key in ten also as two or three concurrent duplicates), each to either API process,
// retrying with jitter on timeouts, connection resets/refusals, 409 and 5xx until it gets a 2xx; meanwhile the
// API processes are SIGKILLed at random moments (and, on some restarts, at a point of the session's dispatch
// after a commit) and restarted, and the downstream endpoint is killed too. PostgreSQL and RabbitMQ are never
// restarted (the servers are shared); the run lives in a schema of its own, dropped at the end (--keep keeps it).
// Audit from the database: each key has one order row, one committed PlaceOrder and one downstream effect (of
// that order), its http_keys row is completed with the response of that order, and every 2xx the client got
// for the key is byte-identical (status, body, Location) to the stored one.
// Last line: `http chaos: R requests, K kills, L lost, D duplicated, M responses differing`; exit 0 only if
// L = D = M = 0 and the API processes were killed at least --kills times.
//   node dist/test/chaos/http/main.js --requests 2000 --kills 30 --seed 7
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { isCreateQueue, isDropQueue } from '../../../src/transport/queue.js';
import { businessTables, type HttpChaosConfig, httpChaosQueues, ordersQueue } from './http-chaos-config.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const arg = (name: string, fallback: number): number => Number(option(name) ?? fallback);
const TRANSPORT = option('transport') ?? 'rabbitmq';
if (TRANSPORT !== 'rabbitmq' && TRANSPORT !== 'postgres') throw new Error(`--transport ${TRANSPORT}: give rabbitmq or postgres`);
const REQUESTS = arg('requests', 2000);
const KILLS = arg('kills', 30);
const APIS = arg('apis', 2);
const CONCURRENCY = arg('concurrency', 12);
const SEED = arg('seed', Date.now() % 100_000);
const TIMEOUT_MS = arg('timeout', 600) * 1000;
const LEASE_MS = arg('lease', 1500);
/** How long the client's requests are spread over: the kills land among them (a restart takes 1 to 2 s). */
const SPAN_MS = arg('span', KILLS * 1500);
const CLIENT_TIMEOUT_MS = 3000;
/** Where a restarted API process may kill itself: after a session's commit, before, inside and after its dispatch. */
const SESSION_FAULT_POINTS = ['flush:onBeforeDispatchDeferredMessage', 'flush:onAfterDispatchDeferredMessage', 'flush:onAfterDeferredMessageSent'];

/** mulberry32: a small seeded PRNG, so a failing run's schedule can be replayed with --seed. */
let state = SEED >>> 0;
const random = (): number => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);

const cfg: HttpChaosConfig = {
  pgUrl: process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus',
  schema: `http_chaos_${randomUUID().slice(0, 8)}`,
  prefix: `http-chaos-${randomUUID().slice(0, 8)}`,
  transport: TRANSPORT,
  rabbitUrl: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  leaseMs: LEASE_MS,
};
const API = fileURLToPath(new URL('./api.js', import.meta.url));
const DOWNSTREAM = fileURLToPath(new URL('./downstream.js', import.meta.url));
log(`http chaos: ${REQUESTS} requests, ${APIS} API processes, ${KILLS} kills, lease ${LEASE_MS} ms, PlaceOrder over ${TRANSPORT === 'rabbitmq' ? 'RabbitMQ (dispatched after the commit)' : 'a PostgreSQL queue table (in the transaction)'}, schema ${cfg.schema}, seed ${SEED}`);

// Small pools: the PostgreSQL server is shared (each API process 6, the downstream 8: its 4 units of work, 3 batches on a queue table and 1 for short statements; this 2).
const store = new PostgresStore({ connectionString: cfg.pgUrl, schema: cfg.schema, poolSize: 2 });
await store.store.ready();
for (const sql of businessTables(cfg.schema)) await store.database.execute(sql);
const queues = httpChaosQueues(cfg, store.queues);
for (const name of ['place-order', 'place-order-error', 'place-order-deferred']) {
  const queue = queues.factory.create(ordersQueue(cfg, name));
  if (isCreateQueue(queue)) await queue.create();
}

// ---- the processes ----
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Managed {
  readonly name: string;
  readonly script: string;
  readonly port?: number;
  child: ChildProcess | null;
  /** It printed its ready line (`listening`, `ready`) and was not killed since. */
  serving: boolean;
}
const apis: Managed[] = [];
for (let i = 0; i < APIS; i++) apis.push({ name: `api-${i}`, script: API, port: await freePort(), child: null, serving: false });
const downstream: Managed = { name: 'downstream', script: DOWNSTREAM, child: null, serving: false };
let faultKills = 0;

function start(p: Managed, fault = ''): void {
  const env = { ...process.env, HTTP_CHAOS_CONFIG: JSON.stringify(cfg), PORT: String(p.port ?? 0), FAULT: fault };
  const child = spawn(process.execPath, [p.script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  p.child = child;
  p.serving = false;
  child.stdout?.on('data', () => {
    if (p.child === child) p.serving = true;
  });
  child.on('exit', (code, signal) => {
    if (p.child !== child) return; // killed by the harness, already replaced
    p.child = null;
    p.serving = false;
    if (signal === 'SIGKILL' && fault) faultKills++;
    else if (!stopping) log(`${p.name} exited (${signal ?? code}) by itself`);
    if (!stopping) start(p); // killed itself at its fault point: back at once, without one
  });
}

function kill(p: Managed): void {
  const child = p.child;
  p.child = null;
  p.serving = false;
  child?.kill('SIGKILL');
}

let stopping = false;
for (const p of [downstream, ...apis]) start(p);

// ---- the client ----
interface Answer {
  readonly status: number;
  readonly body: Buffer;
  readonly location: string | null;
  readonly replayed: boolean;
}
const answers = new Map<string, Answer[]>();
const stats = { attempts: 0, conflicts: 0, takenOver: 0, serverErrors: 0, failures: 0, replayed: 0, duplicates: 0 };
/** The non-2xx answers other than 409, by status and body: the route's errors while a process or the database dies. */
const otherAnswers = new Map<string, number>();
const keyOf = (i: number) => `key-${cfg.prefix}-${i}`;
const bodyOf = (i: number) => JSON.stringify({ item: `item-${i}` });

/** One request chain for key i: retried until a 2xx, which it keeps. */
async function chain(i: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await sleep(20 + random() * Math.min(1000, 50 * 2 ** Math.min(attempt, 5))); // jittered backoff
    const api = apis[Math.floor(random() * apis.length)]!;
    stats.attempts++;
    try {
      const response = await fetch(`http://127.0.0.1:${api.port}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': keyOf(i) },
        body: bodyOf(i),
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status >= 200 && response.status < 300) {
        const replayed = response.headers.get('idempotent-replayed') === 'true';
        if (replayed) stats.replayed++;
        answers.get(keyOf(i))!.push({ status: response.status, body, location: response.headers.get('location'), replayed });
        return;
      }
      if (response.status === 409) {
        stats.conflicts++;
        // this attempt outlived its lease, another took the key over: its transaction rolled back
        if (body.toString().includes('taken over')) stats.takenOver++;
      } else {
        stats.serverErrors++;
        const what = `${response.status} ${body.toString().slice(0, 160)}`;
        otherAnswers.set(what, (otherAnswers.get(what) ?? 0) + 1);
      }
    } catch {
      stats.failures++; // a timeout, a reset, a refused connection: the process died or is restarting
    }
  }
}

async function client(): Promise<void> {
  const began = Date.now();
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= REQUESTS) return;
      const due = began + (i * SPAN_MS) / REQUESTS;
      if (due > Date.now()) await sleep(due - Date.now());
      answers.set(keyOf(i), []);
      const copies = random() < 0.1 ? 2 + Math.floor(random() * 2) : 1; // concurrent duplicates of some keys
      if (copies > 1) stats.duplicates++;
      await Promise.all(Array.from({ length: copies }, () => chain(i)));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

// ---- the killer ----
let apiKills = 0;
let downstreamKills = 0;
async function killer(): Promise<void> {
  await sleep(1500);
  while (apiKills < KILLS) {
    await sleep(300 + random() * 900);
    if (random() < 0.15) {
      if (!downstream.serving) continue;
      kill(downstream);
      downstreamKills++;
      await sleep(random() * 500);
      start(downstream);
      continue;
    }
    // A serving one, so each kill lands among requests (a restart takes about a second).
    const serving = apis.filter((a) => a.serving);
    if (serving.length === 0) continue;
    const api = serving[Math.floor(random() * serving.length)]!;
    kill(api);
    apiKills++;
    await sleep(random() * 400);
    start(api, random() < 0.3 ? `${SESSION_FAULT_POINTS[Math.floor(random() * SESSION_FAULT_POINTS.length)]}:kill:${1 + Math.floor(random() * 5)}` : '');
  }
}

const deadline = setTimeout(() => {
  log(`http chaos: timed out after ${TIMEOUT_MS / 1000} s`);
  void shutdown().finally(() => process.exit(2));
}, TIMEOUT_MS);

const killing = killer();
await client();
await killing;
log(
  `client: ${REQUESTS} keys answered (${stats.duplicates} sent as concurrent duplicates), ${stats.attempts} attempts: ${stats.replayed} replays, ${stats.conflicts} 409 (${stats.takenOver} of them to an attempt whose key was taken over), ${stats.serverErrors} other non-2xx, ${stats.failures} timeouts/resets`,
);
for (const [what, n] of [...otherAnswers].sort((a, b) => b[1] - a[1]).slice(0, 5)) log(`  ${n} x ${what}`);
log(`kills: API ${apiKills} by the harness + ${faultKills} at session dispatch points, downstream ${downstreamKills}`);

// ---- drain: the sweepers dispatch what killed processes committed, the downstream handles it ----
const one = async (sql: string): Promise<number> => Number((await store.database.query<{ n: string }>(sql))[0]!.n);
for (const p of [downstream, ...apis]) if (!p.child) start(p);
for (;;) {
  const orders = await one(`SELECT count(DISTINCT key) AS n FROM ${cfg.schema}.orders`);
  const effects = await one(`SELECT count(DISTINCT key) AS n FROM ${cfg.schema}.effects`);
  const pending = await one(`SELECT count(*) AS n FROM ${cfg.schema}.idempotence_deferred`);
  if (effects >= orders && pending === 0) break;
  log(`drain: ${effects}/${orders} keys with their effect, ${pending} sends stored by sessions`);
  await sleep(1000);
}

// ---- audit ----
interface KeyRow {
  key: string;
  status: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: Buffer | null;
}
const orderRows = await store.database.query<{ key: string; order_id: string }>(`SELECT key, order_id FROM ${cfg.schema}.orders`);
const effectRows = await store.database.query<{ key: string; order_id: string; message_id: string }>(`SELECT key, order_id, message_id FROM ${cfg.schema}.effects`);
const keyRows = await store.database.query<KeyRow>(`SELECT key, status, response_status, response_headers, response_body FROM ${cfg.schema}.http_keys WHERE scope = ''`);
const group = <T extends { key: string }>(rows: T[]) => {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(r.key, [...(m.get(r.key) ?? []), r]);
  return m;
};
const orders = group(orderRows);
const effects = group(effectRows);
const keys = new Map(keyRows.map((r) => [r.key, r]));
let lost = 0;
let duplicated = 0;
let differing = 0;
const report = (what: string) => {
  if (lost + duplicated + differing <= 10) log(`  ${what}`);
};
for (let i = 0; i < REQUESTS; i++) {
  const key = keyOf(i);
  const o = orders.get(key) ?? [];
  const e = effects.get(key) ?? [];
  const row = keys.get(key);
  if (o.length === 0 || e.length === 0 || row?.status !== 'completed') {
    lost++;
    report(`${key}: ${o.length} orders, ${e.length} effects, key row ${row?.status ?? 'absent'}`);
    continue;
  }
  if (o.length > 1 || e.length > 1 || new Set(e.map((x) => x.message_id)).size > 1) {
    duplicated++;
    report(`${key}: ${o.length} orders, ${e.length} effects (${new Set(e.map((x) => x.message_id)).size} commands)`);
    continue;
  }
  const storedBody = row.response_body ?? Buffer.alloc(0);
  const storedLocation = (JSON.parse(row.response_headers ?? '{}') as Record<string, string>).location ?? null;
  const orderId = o[0]!.order_id;
  const consistent = e[0]!.order_id === orderId && storedLocation === `/orders/${orderId}` && (JSON.parse(storedBody.toString()) as { orderId: string }).orderId === orderId;
  const got = answers.get(key) ?? [];
  const identical = got.length > 0 && got.every((a) => a.status === Number(row.response_status) && a.body.equals(storedBody) && a.location === storedLocation);
  if (!consistent || !identical) {
    differing++;
    report(`${key}: stored ${row.response_status} ${storedBody.toString()} (order ${orderId}, effect's ${e[0]!.order_id}); client got ${got.map((a) => `${a.status} ${a.body.toString()}`).join(' | ')}`);
  }
}
const strayOrders = [...orders.keys()].filter((k) => !answers.has(k)).length;
log(`audit: ${orders.size} keys with orders (${strayOrders} not the client's), ${effects.size} with effects, ${keyRows.length} key rows; ${[...answers.values()].reduce((n, a) => n + a.length, 0)} 2xx compared byte for byte with the stored responses`);
const line = `http chaos: ${REQUESTS} requests, ${apiKills + faultKills} kills, ${lost} lost, ${duplicated} duplicated, ${differing} responses differing`;

async function shutdown(): Promise<void> {
  stopping = true;
  clearTimeout(deadline);
  for (const p of [downstream, ...apis]) kill(p);
  await Promise.all([downstream, ...apis].map((p) => (p.child ? new Promise((r) => p.child!.once('exit', r)) : undefined)));
  if (!process.argv.includes('--keep')) {
    await store.database.execute(`DROP SCHEMA IF EXISTS ${cfg.schema} CASCADE`).catch(() => undefined);
    for (const name of ['place-order', 'place-order-error', 'place-order-deferred']) {
      const queue = queues.factory.create(ordersQueue(cfg, name));
      if (isDropQueue(queue)) await queue.drop().catch(() => undefined);
    }
  }
  await queues.close();
  await store.close();
}
await shutdown();
process.stdout.write(`${line}\n`);
process.exit(lost === 0 && duplicated === 0 && differing === 0 && strayOrders === 0 && apiKills >= KILLS ? 0 : 1);
