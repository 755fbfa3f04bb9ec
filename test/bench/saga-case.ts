// The saga case of the benchmark in a process of its own: N instances of a three-step saga (an order
// placed starts it, a payment and a stock reservation follow, the second of them completes it) on a
// PostgreSQL queue ?batch=100 with PostgreSQL idempotence and group commit — the settings of the plain
// idempotent case postgres-queue-batch, so the two compare step for step. Prints one JSON line in
// bench-case.ts's shape, `messages` being instances (3 messages each), and `sagaMessages` the messages.
//   node saga-case.js saga <instances> <threads>
// The queue is filled first (all starts, then all payments, then all reservations: an instance's messages
// are N apart, so no event overtakes its start and its two events rarely meet in one batch), 1000 enqueues
// together; the clock and the CPU window run from the first message handled to the last instance completed.
// DBOS Transact runs the same process as a durable workflow in anchors/dbos-saga.ts.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import { emptyTransportMessage, serializeTransportMessage } from '../../src/extending.js';
import { addOncebus, createSilentLogger, type IServiceBus, messageType, TYPES } from '../../src/index.js';
import { defineSaga, SagaModule } from '../../src/sagas/index.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { type CpuSnapshot, cpuPerMessage, cpuSnapshot } from './cpu-accounting.js';

const [, , caseArg = 'saga', countArg = '5000', threadsArg = '64'] = process.argv;
const COUNT = Number(countArg);
const THREADS = Number(threadsArg);
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
/** A run that stops advancing this long has lost instances: it fails instead of hanging the bench. */
const STALL_MS = 60_000;

@messageType('bench.OrderPlaced')
class OrderPlaced {
  orderId = '';
  amount = 0;
  currency = '';
  padding = '';
}
@messageType('bench.PaymentReceived')
class PaymentReceived {
  orderId = '';
  amount = 0;
  reference = '';
}
@messageType('bench.StockReserved')
class StockReserved {
  orderId = '';
  sku = '';
  quantity = 0;
}

class OrderFulfilment {
  orderId = '';
  paid = false;
  reserved = false;
}

/** The bodies, the same as dbos-saga.ts's inputs (~200 bytes with the order id). */
const bodies: [string, (orderId: string) => object][] = [
  ['bench.OrderPlaced', (orderId) => ({ orderId, amount: 42, currency: 'EUR', padding: 'x'.repeat(100) })],
  ['bench.PaymentReceived', (orderId) => ({ orderId, amount: 42, reference: 'x'.repeat(100) })],
  ['bench.StockReserved', (orderId) => ({ orderId, sku: 'x'.repeat(100), quantity: 1 })],
];

let runs = 0;
let first = 0;
let last = 0;
let cpuFrom: CpuSnapshot | null = null;
let cpuTo: CpuSnapshot | null = null;
/** By order id: a handler rolled back (a version conflict) and run again completes the same instance. */
const completed = new Set<string>();
let finish: () => void = () => undefined;
const allCompleted = new Promise<void>((resolve) => (finish = resolve));
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);

function markRun(): void {
  if (runs++ === 0) {
    first = performance.now();
    cpuFrom = cpuSnapshot();
  }
}
function markCompleted(orderId: string): void {
  last = performance.now();
  completed.add(orderId);
  if (completed.size === COUNT && !cpuTo) {
    cpuTo = cpuSnapshot();
    finish();
  }
}

const orderSaga = defineSaga('OrderFulfilment', OrderFulfilment)
  .startedBy(OrderPlaced, (m) => m.orderId, (ctx) => {
    markRun();
    ctx.saga.data.orderId = ctx.message.orderId;
  })
  .handles(PaymentReceived, (m) => m.orderId, (ctx) => {
    markRun();
    ctx.saga.data.paid = true;
    if (ctx.saga.data.reserved) {
      ctx.saga.complete();
      markCompleted(ctx.saga.data.orderId);
    }
  })
  .handles(StockReserved, (m) => m.orderId, (ctx) => {
    markRun();
    ctx.saga.data.reserved = true;
    if (ctx.saga.data.paid) {
      ctx.saga.complete();
      markCompleted(ctx.saga.data.orderId);
    }
  })
  // An event before its start cannot happen with this fill order; were it to, it must not be lost.
  .whenNotFound('retry')
  .build();

function envelope(type: string, body: object, recipient: string): Buffer {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = type;
  tm.recipientInboxWorkQueueUri = recipient;
  tm.sendDate = Date.now();
  tm.message = Buffer.from(JSON.stringify(body));
  return serializeTransportMessage(tm);
}

const schema = `bench_saga_${randomUUID().slice(0, 6)}`;
// As postgres-queue-batch: batches of 100 rows, group commit (1 lane, up to 64), x64, a pool of 20.
const store = new PostgresStore({ connectionString: PG, schema, poolSize: 20 });
const uri = 'postgres://default/work?batch=100';
const q = store.queues.create(uri);
await (q as unknown as { create(): Promise<void> }).create();

const ids = Array.from({ length: COUNT }, () => randomUUID());
const filling = performance.now();
for (const [type, body] of bodies) {
  for (let done = 0; done < COUNT; done += 1000) {
    const chunk = ids.slice(done, done + 1000);
    // Together, as bus.sendMany writes them: one statement and one commit per thousand.
    await Promise.all(chunk.map((id) => q.enqueue({ ...emptyTransportMessage(), messageId: randomUUID() }, envelope(type, body(id), 'postgres://default/work'))));
  }
}
const enqueuePerSec = Math.round((3 * COUNT) / ((performance.now() - filling) / 1000));

const c = new Container();
c.bind(TYPES.QueueFactory).toConstantValue(store.queues);
c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
// GC_LANES / GC_BATCH (as bench-case.ts's rabbitmq+postgres-gc) to explore; the table is measured at 1 / 64.
const groupCommit = { lanes: Number(process.env.GC_LANES ?? 1), maxBatchSize: Number(process.env.GC_BATCH ?? 64) };
c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ groupCommit }));
c.bind(TYPES.Module).toConstantValue(new SagaModule());
addOncebus(c, {
  inbox: { workQueueUri: uri, errorQueueUri: 'postgres://default/error', threadCount: THREADS, durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['1ms', '5ms'] },
  handlers: [...orderSaga.handlers],
  idempotence: true,
});
const bus = c.get<IServiceBus>(TYPES.ServiceBus);
await new Promise((r) => setTimeout(r, 1000)); // as every case: let the database settle before the clock
await bus.start();
let seen = -1;
const stall = setInterval(() => {
  if (completed.size === seen) {
    process.stderr.write(`saga-case: no instance completed for ${STALL_MS / 1000} s (${completed.size} of ${COUNT})\n`);
    // Its schema goes even so, so the next round starts clean.
    void store.database.execute(`DROP SCHEMA ${schema} CASCADE`).finally(() => process.exit(1));
  }
  seen = completed.size;
}, STALL_MS);
await allCompleted;
clearInterval(stall);
await bus.stop();
// Every completed instance was removed in its unit of work: rows left mean the saga lost track of one.
const [left] = await store.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.sagas`);
await store.database.execute(`DROP SCHEMA ${schema} CASCADE`);
await store.close();
if (Number(left?.n) !== 0) {
  process.stderr.write(`saga-case: ${left?.n} instance row(s) left after all ${COUNT} completed\n`);
  process.exit(1);
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
const ms = ((last - first) * COUNT) / Math.max(1, COUNT - 1);
const cpu = cpuFrom && cpuTo ? { cpu: cpuPerMessage(cpuFrom, cpuTo, COUNT) } : {};
// Handler runs beyond 3 per instance: messages rolled back and run again (version conflicts).
process.stdout.write(`${JSON.stringify({ case: caseArg, threads: THREADS, messages: COUNT, sagaMessages: 3 * COUNT, reruns: runs - 3 * COUNT, ms, rss: peak, enqueuePerSec, ...cpu })}\n`);
process.exit(0);
