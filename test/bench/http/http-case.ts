// The HTTP cases of the benchmark (issue 28), one per process: a Fastify API on PostgreSQL whose POST /orders
// inserts the order, driven by load-client.ts in a process of its own. Prints one JSON line as bench-case.ts
// does: { case, threads (requests in flight), messages (requests measured), ms, rss, cpu }.
// - http-plain: a plain Fastify route doing the INSERT on a pg pool, no bus at all;
// - http-bus:   oncebus/http's idempotentRoute (key optional) called without a key: the INSERT and one
//               session.send to a PostgreSQL queue in bus.withTransaction, the send dispatched after the commit;
// - http-keyed: the same route, each request with a fresh Idempotency-Key: the claim's short transaction,
//               then the route's, which also stores the response with its key.
// The clock and the CPU (this process's, and that of the postgres backends serving its connections, from
// /proc) run from the WARMUP-th response to the last; the client's CPU is not counted. Afterwards the rows
// are checked: one order per request, one message sent per request (bus cases), one completed key per
// request (keyed).
//   node dist/test/bench/http/http-case.js http-keyed 5000 16
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { Container } from 'inversify';
import pg from 'pg';
import { idempotentRoute } from '../../../src/http/fastify/index.js';
import { addOncebus, createSilentLogger, type IServiceBus, messageType, TYPES } from '../../../src/index.js';
import { PostgresStore, type PostgresTransaction } from '../../../src/stores/postgres/index.js';
import { isCreateQueue } from '../../../src/transport/queue.js';
import { type CpuSnapshot, cpuPerMessage, cpuSnapshot } from '../cpu-accounting.js';

const [, , caseArg = 'http-keyed', countArg = '5000', concurrencyArg = '16'] = process.argv;
const COUNT = Number(countArg);
const CONCURRENCY = Number(concurrencyArg);
/** Responses before the clock starts: connections open, statements prepared, the JIT warm. */
const WARMUP = Math.min(1000, Math.max(100, Math.floor(COUNT / 5)));
const TOTAL = WARMUP + COUNT;
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
const CLIENT = fileURLToPath(new URL('./load-client.js', import.meta.url));
const POOL = CONCURRENCY + 4;
const OUT = 'postgres://default/bench-http-out';

if (!['http-plain', 'http-bus', 'http-keyed'].includes(caseArg)) throw new Error(`unknown HTTP case ${caseArg}`);
const id = randomUUID().replace(/-/g, '').slice(0, 8);
const schema = `bench_http_${id}`;
const orders = `${schema}.orders`;
const INSERT = `INSERT INTO ${orders} (order_id, amount, currency) VALUES ($1, $2, $3)`;

@messageType('bench.OrderPlaced')
class OrderPlaced {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}

type PostOrder = { Body: { orderId: string; amount: number; currency: string } };

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
let responses = 0;
let startedAt = 0;
let endedAt = 0;

/**
 * Statements the API sent (BEGIN and COMMIT included), counted on pg's Client: how many round trips a request
 * costs is what its CPU follows, on both sides.
 */
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;
let statementsFrom = 0;
let statementsTo = 0;
let cpuFrom: CpuSnapshot | null = null;
let cpuTo: CpuSnapshot | null = null;

/** Every case counts its responses sent (Fastify's onResponse): the window is the WARMUP-th to the last. */
function counted(app: FastifyInstance): void {
  app.addHook('onResponse', async () => {
    if (++responses === WARMUP) {
      statementsFrom = statements;
      startedAt = performance.now();
      cpuFrom = cpuSnapshot();
    } else if (responses === TOTAL) {
      statementsTo = statements;
      endedAt = performance.now();
      cpuTo = cpuSnapshot();
    }
  });
}

async function plainApi(): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: PG, max: POOL });
  const app = Fastify();
  counted(app);
  app.post<PostOrder>('/orders', async (request, reply) => {
    const { orderId, amount, currency } = request.body;
    await pool.query(INSERT, [orderId, amount, currency]);
    return reply.code(201).header('location', `/orders/${orderId}`).send({ orderId });
  });
  return { app, close: () => pool.end() };
}

async function busApi(store: PostgresStore): Promise<{ app: FastifyInstance; bus: IServiceBus; close(): Promise<void> }> {
  const out = store.queues.create(OUT);
  if (isCreateQueue(out)) await out.create();
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(store.queues);
  c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(c, { name: 'web', routes: [{ uri: OUT, specifications: [{ types: [OrderPlaced] }] }] });
  const bus = c.get<IServiceBus>(TYPES.ServiceBus);
  await bus.start();
  const app = Fastify();
  counted(app);
  // The key is optional: http-bus sends none (the route runs in a session as any other), http-keyed one per request.
  app.post<PostOrder>(
    '/orders',
    idempotentRoute<PostOrder, PostgresTransaction>(bus, { required: false }, async (request, session) => {
      const { orderId, amount, currency } = request.body;
      await session.transaction.query(INSERT, [orderId, amount, currency]);
      await session.send(new OrderPlaced(orderId, amount));
      return { status: 201, body: { orderId }, headers: { location: `/orders/${orderId}` } };
    }),
  );
  return { app, bus, close: () => bus.stop() };
}

function runClient(url: string): Promise<{ ok: number; failed: number; firstFailure: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, url, String(TOTAL), String(CONCURRENCY), caseArg === 'http-keyed' ? '1' : '0', id], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`the load client exited with ${code}`))));
  });
}

const store = new PostgresStore({ connectionString: PG, schema, poolSize: POOL });
await store.store.ready(); // the schema (and, for the bus cases, oncebus's tables)
await store.database.execute(`CREATE TABLE ${orders} (order_id text PRIMARY KEY, amount integer NOT NULL, currency text NOT NULL)`);
try {
  const api = caseArg === 'http-plain' ? await plainApi() : await busApi(store);
  const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const client = await runClient(url);
  await api.app.close();
  if (client.failed > 0 || client.ok !== TOTAL) throw new Error(`${client.failed} request(s) failed: ${client.firstFailure}`);
  // What was measured is what a client asked for: every order once, its message sent, its key completed.
  const [{ n: rows }] = (await store.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${orders}`)) as [{ n: string }];
  if (Number(rows) !== TOTAL) throw new Error(`${rows} orders for ${TOTAL} requests`);
  if ('bus' in api) {
    const sent = await (api.bus as IServiceBus).countMessages(OUT);
    if (sent !== TOTAL) throw new Error(`${sent} messages sent for ${TOTAL} requests`);
  }
  if (caseArg === 'http-keyed') {
    const [{ n: keys }] = (await store.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.http_keys WHERE status = 'completed'`)) as [{ n: string }];
    if (Number(keys) !== TOTAL) throw new Error(`${keys} completed keys for ${TOTAL} requests`);
  }
  await api.close();
} finally {
  await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await store.close();
}
clearInterval(sampler);
if (!cpuFrom || !cpuTo) throw new Error('the measured window never closed');
// The database's CPU is ownDatabaseUs: the backends serving this process's connections (cpu-accounting.ts).
const cpu = cpuPerMessage(cpuFrom, cpuTo, COUNT);
const statementsPerRequest = Math.round(((statementsTo - statementsFrom) / COUNT) * 10) / 10;
process.stdout.write(`${JSON.stringify({ case: caseArg, threads: CONCURRENCY, messages: COUNT, ms: endedAt - startedAt, rss: peak, statementsPerRequest, cpu })}\n`);
process.exit(0);
