// The saga workload on DBOS Transact, the anchor oncebus's `saga` case is measured against, in a process of
// its own. Prints one JSON line in bench-case.ts's shape, `messages` being instances (3 inputs each).
//   node dbos-saga.js dbos-saga <instances> <pool size>
// The same three-step process as saga-case.ts, written the way DBOS's docs show a workflow waiting for
// events: a workflow started with its order (the start), then DBOS.recv of two messages sent to it with
// DBOS.send (payment, then stock), then it returns (complete). As oncebus's case fills its queue first, all
// inputs are durable before the clock runs: the N workflows are enqueued on a DBOS queue not yet registered
// and their 2N messages sent (DBOSClient, the producer's API); registering the queue lets the process run
// them. The clock and the CPU window run from the first workflow entered to the last one returned.
// The system database is a database of its own per run (DBOS creates it at launch), dropped after.
import { randomUUID } from 'node:crypto';
import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk';
import pg from 'pg';
import { type CpuSnapshot, cpuPerMessage, cpuSnapshot } from '../cpu-accounting.js';

const [, , caseArg = 'dbos-saga', countArg = '5000', poolArg = '10'] = process.argv;
const COUNT = Number(countArg);
const POOL = Number(poolArg);
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
const QUEUE = 'orders';
/** DBOS dispatches a queue's enqueued workflows at this interval (its default); one poll takes them all. */
const POLL_MS = Number(process.env.DBOS_POLL_MS ?? 1000);
/** Workflows this process runs at once (DBOS's workerConcurrency); unset: no limit, all N start together. */
const WORKER_CONCURRENCY = process.env.DBOS_WORKER_CONCURRENCY ? Number(process.env.DBOS_WORKER_CONCURRENCY) : undefined;
const database = `bench_dbos_${randomUUID().slice(0, 8)}`;
const systemDatabaseUrl = Object.assign(new URL(PG), { pathname: `/${database}` }).toString();

/** The inputs, the same bodies as saga-case.ts's messages (~200 bytes with the order id). */
const order = (orderId: string) => ({ orderId, amount: 42, currency: 'EUR', padding: 'x'.repeat(100) });
const payment = (orderId: string) => ({ orderId, amount: 42, reference: 'x'.repeat(100) });
const stock = (orderId: string) => ({ orderId, sku: 'x'.repeat(100), quantity: 1 });

let entered = 0;
let completed = 0;
let first = 0;
let last = 0;
let cpuFrom: CpuSnapshot | null = null;
let cpuTo: CpuSnapshot | null = null;
let finish: () => void = () => undefined;
const allCompleted = new Promise<void>((resolve) => (finish = resolve));
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);

async function orderFulfilment(placed: ReturnType<typeof order>): Promise<{ orderId: string; paid: boolean; reserved: boolean }> {
  if (entered++ === 0) {
    first = performance.now();
    cpuFrom = cpuSnapshot();
  }
  // Without a timeout recv waits 60 s; the messages are there already.
  const paid = await DBOS.recv<ReturnType<typeof payment>>('payment');
  const reserved = await DBOS.recv<ReturnType<typeof stock>>('stock');
  last = performance.now();
  if (++completed === COUNT) {
    cpuTo = cpuSnapshot();
    finish();
  }
  return { orderId: placed.orderId, paid: paid !== null, reserved: reserved !== null };
}
const workflow = DBOS.registerWorkflow(orderFulfilment, { name: 'orderFulfilment' });

let extra: Record<string, number> = {};
DBOS.setConfig({ name: 'oncebus-bench', systemDatabaseUrl, systemDatabasePoolSize: POOL, logLevel: 'error' });
await DBOS.launch();
let client: DBOSClient | null = null;
try {
  client = await DBOSClient.create({ systemDatabaseUrl });
  const ids = Array.from({ length: COUNT }, () => randomUUID());
  const filling = performance.now();
  // Concurrently in chunks, as the other cases' fills: each call is its own transaction.
  const inChunks = async (f: (id: string) => Promise<unknown>) => {
    for (let i = 0; i < ids.length; i += 100) await Promise.all(ids.slice(i, i + 100).map(f));
  };
  await inChunks((id) => client!.enqueue<typeof workflow>({ queueName: QUEUE, workflowName: 'orderFulfilment', workflowID: id }, order(id)));
  await inChunks((id) => client!.send(id, payment(id), 'payment'));
  await inChunks((id) => client!.send(id, stock(id), 'stock'));
  extra = { enqueuePerSec: Math.round((3 * COUNT) / ((performance.now() - filling) / 1000)) };
  await new Promise((r) => setTimeout(r, 1000)); // as every case: let the database settle before the clock
  await DBOS.registerQueue(QUEUE, { minPollingIntervalMs: POLL_MS, ...(WORKER_CONCURRENCY !== undefined && { workerConcurrency: WORKER_CONCURRENCY }) });
  await allCompleted;
} finally {
  await client?.destroy();
  await DBOS.shutdown({ workflowCompletionTimeoutMS: 10_000 });
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
const ms = ((last - first) * COUNT) / Math.max(1, COUNT - 1);
const cpu = cpuFrom && cpuTo ? { cpu: cpuPerMessage(cpuFrom, cpuTo, COUNT) } : {};
const settings = `systemDatabasePoolSize ${POOL} (its polling limiter half of it), queue ${WORKER_CONCURRENCY === undefined ? 'without limits' : `workerConcurrency ${WORKER_CONCURRENCY}`} polled every ${POLL_MS} ms, recv with its default 60 s timeout; filled with DBOSClient.enqueue + send, 100 concurrent calls`;
process.stdout.write(`${JSON.stringify({ case: caseArg, threads: POOL, messages: COUNT, ms, rss: peak, settings, ...extra, ...cpu })}\n`);
process.exit(0);
