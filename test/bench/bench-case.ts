// One benchmark case in a process of its own (so its peak RSS is its own). Prints one JSON line:
// { case, messages, ms, rss }. The queue is filled first, then the clock runs from start to the last ack.
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeTsBus from '@node-ts/bus-core';
import nodeTsMessages from '@node-ts/bus-messages';
import nodeTsRabbit from '@node-ts/bus-rabbitmq';
import amqp from 'amqplib';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, MemoryBroker, messageType, TYPES } from '../../src/index.js';
import { emptyTransportMessage, type IQueueFactory, serializeTransportMessage } from '../../src/extending.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { TracingModule } from '../../src/telemetry/index.js';
import type { IOncebusModule } from '../../src/modules/oncebus-module.js';
import * as otelApi from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type CpuPerMessage, type CpuSnapshot, cpuPerMessage, cpuSnapshot } from './cpu-accounting.js';

const [, , caseArg = 'raw-amqplib', countArg = '5000', threadsArg = '4'] = process.argv;
// "<case>@2": the same endpoint in two processes competing on the queue (see twoProcesses); "@1" runs the
// one endpoint in a child too, so a scale-out curve (npm run bench:scale) compares like with like.
const PROCESSES = Number(caseArg.split('@')[1] ?? 1);
const MULTI = caseArg.includes('@');
const name = caseArg.split('@')[0]!;
/** Set in a child of a multi-process case: the queue (and schema) the parent filled. */
const CHILD = process.env.BENCH_CHILD ? (JSON.parse(process.env.BENCH_CHILD) as { queue: string; schema?: string; file?: string }) : null;
const COUNT = CHILD ? Number.POSITIVE_INFINITY : Number(countArg);
const THREADS = Number(threadsArg);
const PREFETCH = 100;
const RABBIT = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PG = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';
const PGBOUNCER = process.env.PGBOUNCER_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:6432/oncebus';
/**
 * Set by the scale bench (test/bench/scale.ts): a queue and schema of fixed names that the case uses and
 * keeps (the idempotence table prefilled with millions of rows for this inbox), each process's pool size,
 * and the retention purge's interval (ms) to run it while consuming.
 */
const FIXED_QUEUE = process.env.BENCH_QUEUE;
const FIXED_SCHEMA = process.env.BENCH_SCHEMA;
const POOL = process.env.BENCH_POOL ? Number(process.env.BENCH_POOL) : undefined;
const PURGE_MS = process.env.BENCH_PURGE_MS ? Number(process.env.BENCH_PURGE_MS) : undefined;
/** The retention options of the idempotence store: a purge every PURGE_MS when the scale bench asks for it. */
const retention = PURGE_MS ? { intervalMs: PURGE_MS } : {};
const BODY = { orderId: 'x'.repeat(120), amount: 42, currency: 'EUR' }; // ~200 bytes serialized with its envelope body

@messageType('bench.Order')
class Order {
  orderId = '';
  amount = 0;
  currency = '';
}

let peak = 0;
// memoryUsage.rss() reads the RSS alone; memoryUsage() also walks the heap, which showed in every profile.
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
let handled = 0;
let firstHandledAt = 0;
let lastHandledAt = 0;
let finish: () => void;
const allHandled = new Promise<void>((r) => (finish = r));
/** High-resolution epoch time: comparable across the processes of a multi-process case. */
const now = () => performance.timeOrigin + performance.now();

/** Every case's handler calls this: the clock runs from the first message handled to the last. */
function markHandled(): void {
  lastHandledAt = now();
  if (handled === 0) {
    firstHandledAt = lastHandledAt;
    cpuFrom = cpuSnapshot();
  }
  if (++handled === COUNT) {
    cpuTo = cpuSnapshot();
    finish();
  }
}
let cpuFrom: CpuSnapshot | null = null;
let cpuTo: CpuSnapshot | null = null;

/**
 * Steady-state time for COUNT messages: (last − first) covers COUNT − 1 intervals. Connecting, declaring
 * and starting (which differ per case and would dominate short runs) are outside the clock for every case.
 */
function steadyMs(first = firstHandledAt, last = lastHandledAt, count = Number(countArg)): number {
  return ((last - first) * count) / Math.max(1, count - 1);
}

const latencies: number[] = [];
/** Only the latency cases keep a figure per message: elsewhere it would be RSS growing with the count (the backlog bench). */
const RECORD_LATENCY = name.endsWith('-latency');

@handlesMessage(Order)
class OrderHandler implements IMessageHandler<Order> {
  handle(ctx: IHandlerContext<Order>): void {
    if (RECORD_LATENCY) latencies.push(Date.now() - ctx.transportMessage.sendDate);
    markHandled();
  }
}

/** Latency at a fixed offered load: messages sent at RATE per second while the endpoint runs; send → handled. */
const RATE = Number(process.env.BENCH_RATE ?? 1000);
async function latency(factory: IQueueFactory, inbox: string, error: string, idempotence?: { factory: unknown }): Promise<{ p50: number; p99: number }> {
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(factory);
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  if (idempotence) c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence.factory);
  addOncebus(c, {
    inbox: { workQueueUri: inbox, errorQueueUri: error, threadCount: THREADS, durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['1ms', '5ms'] },
    handlers: [OrderHandler],
    idempotence: idempotence !== undefined,
  });
  const bus = c.get<IServiceBus>(TYPES.ServiceBus);
  await bus.start();
  const order = Object.assign(new Order(), BODY);
  const start = Date.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Not awaited one by one: the offered load must not depend on each publisher confirm's round trip.
    sends.push(bus.send(order, { local: true }));
  }
  await Promise.all(sends);
  await allHandled;
  await bus.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length * 0.5)]!, p99: sorted[Math.floor(sorted.length * 0.99)]! };
}

function envelope(recipient: string): Buffer {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = 'bench.Order';
  tm.recipientInboxWorkQueueUri = recipient;
  tm.sendDate = Date.now();
  tm.message = Buffer.from(JSON.stringify(BODY));
  return serializeTransportMessage(tm);
}

/** After filling: let the broker and the database finish writing before any clock runs. */
const settle = () => new Promise((r) => setTimeout(r, 1000));

/** Publishes awaiting confirms every window: a million unconfirmed messages would sit in this process's memory. */
const CONFIRM_WINDOW = 5000;

async function fillRabbit(queue: string, body: () => Buffer): Promise<void> {
  const c = await amqp.connect(RABBIT);
  const ch = await c.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  const filling = performance.now();
  for (let i = 0; i < COUNT; i++) {
    ch.sendToQueue(queue, body(), { persistent: true });
    if ((i + 1) % CONFIRM_WINDOW === 0) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  extra = { ...extra, enqueuePerSec: perSecond(filling) };
  await c.close();
}

async function rawAmqplib(): Promise<number> {
  const queue = `bench-raw-${randomUUID().slice(0, 6)}`;
  // The same bytes as every oncebus case (the envelope), though raw amqplib only acknowledges them.
  await fillRabbit(queue, () => envelope(queue));
  const c = await amqp.connect(RABBIT);
  const ch = await c.createChannel();
  await ch.prefetch(PREFETCH);
  await settle();
  void ch.consume(queue, (m) => {
    if (!m) return;
    ch.ack(m);
    markHandled();
  });
  await allHandled;
  const ms = steadyMs();
  await ch.deleteQueue(queue);
  await c.close();
  return ms;
}

/** The @node-ts/bus baseline: bus-core + bus-rabbitmq over the same broker, an equivalent no-op handler. */
// CommonJS packages: their named exports come through the default import.
const { Command } = nodeTsMessages;
const { RabbitMqTransport } = nodeTsRabbit;

class NodeTsOrder extends Command {
  static readonly NAME = 'bench/order';
  readonly $name = NodeTsOrder.NAME;
  readonly $version = 1;
  constructor(
    readonly orderId = BODY.orderId,
    readonly amount = BODY.amount,
    readonly currency = BODY.currency,
  ) {
    super();
  }
}

async function nodeTs(): Promise<number> {
  const queueName = `bench-nodets-${randomUUID().slice(0, 6)}`;
  const bus = nodeTsBus.Bus.configure()
    .withTransport(new RabbitMqTransport({ queueName, connectionString: RABBIT, maxRetries: 1 }))
    .withConcurrency(THREADS)
    .withHandler({
      messageType: NodeTsOrder,
      messageHandler: async () => markHandled(),
    })
    .build();
  await bus.initialize();
  for (let i = 0; i < COUNT; i++) await bus.send(new NodeTsOrder());
  await settle();
  await bus.start();
  await allHandled;
  const ms = steadyMs();
  await bus.dispose();
  const c = await amqp.connect(RABBIT);
  const ch = await c.createChannel();
  await ch.deleteQueue(queueName);
  await c.close();
  return ms;
}

/** Modules the case adds to its endpoint (the tracing cases). */
const MODULES: IOncebusModule[] = [];

function buildEndpoint(factory: IQueueFactory, inbox: string, error: string, idempotence?: { factory: unknown }): IServiceBus {
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(factory);
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  for (const m of MODULES) c.bind(TYPES.Module).toConstantValue(m);
  if (idempotence) c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence.factory);
  addOncebus(c, {
    inbox: { workQueueUri: inbox, errorQueueUri: error, threadCount: THREADS, durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['1ms', '5ms'] },
    handlers: [OrderHandler],
    idempotence: idempotence !== undefined,
  });
  return c.get<IServiceBus>(TYPES.ServiceBus);
}

async function endpoint(factory: IQueueFactory, inbox: string, error: string, idempotence?: { factory: unknown }): Promise<number> {
  if (CHILD) return childEndpoint(buildEndpoint(factory, inbox, error, idempotence));
  const bus = buildEndpoint(factory, inbox, error, idempotence);
  await settle();
  await bus.start();
  await allHandled;
  const ms = steadyMs();
  await bus.stop();
  return ms;
}

/**
 * A child of a multi-process case: built, it says 'ready', starts on 'go' (stdin), then reports
 * "<handled> <first handled> <last handled> <peak rss>" (epoch ms) every 50 ms; on 'stop' it reports the
 * CPU it and its own database backends spent from its first message handled ("cpu <json>", totals in µs
 * with the messages handled since), and waits for the parent to kill it.
 */
async function childEndpoint(bus: IServiceBus): Promise<never> {
  process.stdout.write('ready\n');
  let lines = '';
  const commands = new EventEmitter();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    lines += chunk;
    for (let i = lines.indexOf('\n'); i >= 0; i = lines.indexOf('\n')) {
      commands.emit(lines.slice(0, i));
      lines = lines.slice(i + 1);
    }
  });
  await new Promise<void>((resolve) => commands.once('go', resolve));
  await bus.start();
  setInterval(() => process.stdout.write(`${handled} ${firstHandledAt} ${lastHandledAt} ${peak}\n`), 50);
  commands.once('stop', () => {
    const totals = cpuFrom ? cpuPerMessage(cpuFrom, cpuSnapshot(), 1) : null;
    const heap = heapAfterGc();
    process.stdout.write(`cpu ${JSON.stringify({ messages: Math.max(0, handled - 1), ...totals, ...(heap !== undefined && { heapAfterGc: heap }) })}\n`);
  });
  return new Promise<never>(() => undefined);
}

/**
 * BENCH_HEAP (the backlog bench): children run with --expose-gc and report the heap still used after a full
 * collection — what the process holds, where its peak RSS also counts garbage not collected yet.
 */
const HEAP = process.env.BENCH_HEAP === '1';
const heapAfterGc = (): number | undefined => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
};

/** What a child reports on 'stop': µs since its first message handled, and the messages handled since. */
interface ChildCpu {
  readonly heapAfterGc?: number;
  readonly messages: number;
  readonly nodeUs?: number;
  readonly nodeSystemUs?: number;
  readonly ownDatabaseUs?: number;
}
/**
 * CPU per message of a multi-process case: the children's Node and own backends (each from its first message
 * handled to the end), the broker and every postgres process (from the first message handled by any).
 */
let multiCpu: (CpuPerMessage & { readonly children: number }) | null = null;

/** Runs PROCESSES children of this case on the filled queue; the clock runs from the first message handled by any to the last. */
async function twoProcesses(queue: string, schema?: string, file?: string): Promise<number> {
  const children = Array.from({ length: PROCESSES }, () =>
    spawn(process.execPath, [...(HEAP ? ['--expose-gc'] : []), fileURLToPath(import.meta.url), caseArg, '0', String(THREADS)], {
      env: { ...process.env, BENCH_CHILD: JSON.stringify({ queue, schema, file }) },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const latest = children.map(() => ({ handled: 0, first: 0, last: 0, rss: 0 }));
  const childCpu: (ChildCpu | null)[] = children.map(() => null);
  const ready = children.map(
    (child, i) =>
      new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8');
        let buffered = '';
        child.stdout.on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (line === 'ready') resolve();
            else if (line.startsWith('cpu ')) childCpu[i] = JSON.parse(line.slice(4)) as ChildCpu;
            else {
              const [h, f, l, r] = line.split(' ').map(Number);
              latest[i] = { handled: h!, first: f!, last: l!, rss: r! };
            }
          }
        });
      }),
  );
  await Promise.all(ready);
  await settle();
  for (const child of children) child.stdin.write('go\n');
  const total = () => latest.reduce((n, c) => n + c.handled, 0);
  while (total() === 0) await new Promise((r) => setTimeout(r, 5));
  const from = cpuSnapshot();
  const handledAtFrom = total();
  while (total() < Number(countArg)) await new Promise((r) => setTimeout(r, 20));
  const to = cpuSnapshot();
  const window = cpuPerMessage(from, to, Math.max(1, Number(countArg) - handledAtFrom));
  await new Promise((r) => setTimeout(r, 120)); // every child's last report is in
  for (const child of children) child.stdin.write('stop\n');
  for (let waited = 0; childCpu.some((c) => c === null) && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const reported = childCpu.filter((c): c is ChildCpu => c !== null);
  const messages = reported.reduce((n, c) => n + c.messages, 0);
  const sum = (f: (c: ChildCpu) => number | undefined) => Math.round(reported.reduce((n, c) => n + (f(c) ?? 0), 0) / Math.max(1, messages));
  multiCpu = {
    nodeUs: sum((c) => c.nodeUs),
    nodeSystemUs: sum((c) => c.nodeSystemUs),
    ...(window.brokerUs !== undefined && { brokerUs: window.brokerUs }),
    ...(window.databaseUs !== undefined && { databaseUs: window.databaseUs }),
    ...(reported.some((c) => c.ownDatabaseUs !== undefined) && { ownDatabaseUs: sum((c) => c.ownDatabaseUs) }),
    children: reported.length,
  };
  for (const child of children) child.kill('SIGKILL');
  childrenRss = latest.reduce((n, c) => n + c.rss, 0);
  if (reported.some((c) => c.heapAfterGc !== undefined)) extra = { ...extra, heapAfterGc: reported.reduce((n, c) => n + (c.heapAfterGc ?? 0), 0) };
  const started = latest.filter((c) => c.handled > 0);
  return steadyMs(Math.min(...started.map((c) => c.first)), Math.max(...started.map((c) => c.last)));
}
let childrenRss = 0;

async function dropRabbit(queue: string): Promise<void> {
  const c = await amqp.connect(RABBIT);
  const ch = await c.createChannel();
  await ch.deleteQueue(queue);
  await ch.deleteQueue(`${queue}-error`);
  await c.close();
}

async function dropSchema(schema: string): Promise<void> {
  const store = new PostgresStore({ connectionString: PG, schema });
  await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await store.close();
}

/**
 * TracingModule for the tracing cases: with only the API (no SDK: every span a no-op), or with the SDK
 * recording every span through a batch processor into an exporter that drops them (recording, not I/O).
 */
function tracing(sdk: boolean): TracingModule {
  if (!sdk) return new TracingModule();
  if (process.env.BENCH_NULL_TRACER) {
    otelApi.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    return new TracingModule({ tracer: nullTracer() });
  }
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor({ export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined })] });
  otelApi.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return new TracingModule({ tracer: provider.getTracer('bench') });
}

/**
 * BENCH_NULL_TRACER=1 with a +tracing-sdk case: a tracer whose one span records and keeps nothing, so the
 * case measures TracingModule's own work (steps, context, propagation, attribute calls) without the SDK's;
 * the SDK's share of the overhead is the difference to the case without it.
 */
function nullTracer(): otelApi.Tracer {
  const spanContext: otelApi.SpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
  const span: otelApi.Span = {
    spanContext: () => spanContext,
    isRecording: () => true,
    setAttribute: () => span,
    setAttributes: () => span,
    addEvent: () => span,
    addLink: () => span,
    addLinks: () => span,
    setStatus: () => span,
    updateName: () => span,
    end: () => undefined,
    recordException: () => undefined,
  };
  return { startSpan: () => span, startActiveSpan: () => undefined as never };
}

/** A filled RabbitMQ queue drained by one endpoint (or PROCESSES), with PostgreSQL idempotence for the +postgres cases. */
async function rabbitCase(): Promise<number> {
  const id = randomUUID().slice(0, 6);
  const u = new URL(RABBIT);
  const rq = (q: string) => `rabbitmq://${u.username}:${u.password}@${u.host}/${q}?prefetch=${PREFETCH}`;
  const queue = CHILD?.queue ?? FIXED_QUEUE ?? `bench-${id}`;
  const schema = CHILD?.schema ?? FIXED_SCHEMA ?? `bench_${id}`;
  if (!CHILD) await fillRabbit(queue, () => envelope(rq(queue)));
  const withPostgres = name.startsWith('rabbitmq+postgres');
  if (!CHILD && MULTI) {
    if (withPostgres) {
      const migrating = new PostgresStore({ connectionString: PG, schema });
      await migrating.store.ready();
      await migrating.close();
    }
    const ms = await twoProcesses(queue, withPostgres ? schema : undefined);
    await dropRabbit(queue);
    if (withPostgres && !FIXED_SCHEMA) await dropSchema(schema);
    return ms;
  }
  const factory = new RabbitMqQueueFactory();
  let store: PostgresStore | null = null;
  if (withPostgres) {
    store = new PostgresStore({ connectionString: PG, schema, poolSize: POOL ?? THREADS + 5 });
    await store.store.ready();
  }
  const groupCommit = name === 'rabbitmq+postgres-gc' && { lanes: Number(process.env.GC_LANES ?? 1), maxBatchSize: Number(process.env.GC_BATCH ?? 64) };
  const ms = await endpoint(factory, rq(queue), rq(`${queue}-error`), store ? { factory: store.idempotence({ groupCommit, ...retention }) } : undefined);
  await dropRabbit(queue);
  await factory.close();
  if (store) {
    await store.close();
    if (!FIXED_SCHEMA) await dropSchema(schema);
  }
  return ms;
}

/** The memory transport alone: what the bus itself costs per message. */
async function memoryCase(): Promise<number> {
  const broker = new MemoryBroker();
  const q = broker.create('memory://bench');
  for (let i = 0; i < COUNT; i++) await q.enqueue(emptyTransportMessage(), envelope('memory://bench'));
  return endpoint(broker, 'memory://bench', 'memory://bench-error');
}

/** The fast path of a queue in the database: batches of 100 rows, group commit, THREADS loops (or PROCESSES endpoints of them). */
async function postgresQueueBatchCase(id: string): Promise<number> {
  const schema = CHILD?.schema ?? FIXED_SCHEMA ?? `bench_${id}`;
  const store = new PostgresStore({ connectionString: PG, schema, poolSize: POOL ?? 20 });
  const uri = 'postgres://default/work?batch=100';
  const idempotence = { factory: store.idempotence({ groupCommit: { lanes: 1, maxBatchSize: 64 }, ...retention }) };
  if (CHILD) return endpoint(store.queues, uri, 'postgres://default/error', idempotence);
  const q = store.queues.create(uri);
  await (q as unknown as { create(): Promise<void> }).create();
  extra = { enqueuePerSec: await fillTogether(q, 'postgres://default/work') };
  const ms = MULTI ? await twoProcesses('postgres://default/work', schema) : await endpoint(store.queues, uri, 'postgres://default/error', idempotence);
  if (!FIXED_SCHEMA) await store.database.execute(`DROP SCHEMA ${schema} CASCADE`);
  await store.close();
  return ms;
}

async function run(): Promise<number> {
  const id = randomUUID().slice(0, 6);
  const u = new URL(RABBIT);
  const rq = (q: string) => `rabbitmq://${u.username}:${u.password}@${u.host}/${q}?prefetch=${PREFETCH}`;
  switch (name) {
    case 'raw-amqplib':
      return rawAmqplib();
    case 'node-ts-bus':
      return nodeTs();
    case 'rabbitmq-latency':
    case 'rabbitmq+postgres-gc-latency': {
      const queue = `bench-lat-${id}`;
      const factory = new RabbitMqQueueFactory();
      const started = performance.now();
      let store: PostgresStore | null = null;
      if (name === 'rabbitmq+postgres-gc-latency') {
        store = new PostgresStore({ connectionString: PG, schema: `bench_${id}`, poolSize: THREADS + 5 });
        await store.store.ready();
      }
      const l = await latency(factory, rq(queue), rq(`${queue}-error`), store ? { factory: store.idempotence({ groupCommit: { lanes: 1, maxBatchSize: 64 } }) } : undefined);
      extra = { p50Ms: l.p50, p99Ms: l.p99, rate: RATE };
      await dropRabbit(queue);
      await factory.close();
      if (store) {
        await store.close();
        await dropSchema(`bench_${id}`);
      }
      return performance.now() - started;
    }
    case 'sqlite-latency': {
      const dir = mkdtempSync(join(tmpdir(), 'oncebus-bench-'));
      const store = new SqliteStore({ file: join(dir, 'bench.db'), synchronous: 'NORMAL' });
      const started = performance.now();
      const l = await latency(store.queues, 'sqlite://default/lat', 'sqlite://default/lat-error', { factory: store.idempotence() });
      extra = { p50Ms: l.p50, p99Ms: l.p99, rate: RATE };
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      return performance.now() - started;
    }
    case 'postgres-queue-latency': {
      // The per-message queue (one row per transaction) with PostgreSQL idempotence, as postgres-queue.
      const store = new PostgresStore({ connectionString: PG, schema: `bench_${id}`, poolSize: THREADS * 2 + 5 });
      const started = performance.now();
      const l = await latency(store.queues, 'postgres://default/lat', 'postgres://default/lat-error', { factory: store.idempotence() });
      extra = { p50Ms: l.p50, p99Ms: l.p99, rate: RATE };
      await store.database.execute(`DROP SCHEMA bench_${id} CASCADE`);
      await store.close();
      return performance.now() - started;
    }
    case 'postgres-queue-batch-latency': {
      const store = new PostgresStore({ connectionString: PG, schema: `bench_${id}`, poolSize: 20 });
      const started = performance.now();
      const l = await latency(store.queues, 'postgres://default/lat?batch=100', 'postgres://default/lat-error', {
        factory: store.idempotence({ groupCommit: { lanes: 1, maxBatchSize: 64 } }),
      });
      extra = { p50Ms: l.p50, p99Ms: l.p99, rate: RATE };
      await store.database.execute(`DROP SCHEMA bench_${id} CASCADE`);
      await store.close();
      return performance.now() - started;
    }
    case 'memory+tracing-api':
    case 'memory+tracing-sdk':
      MODULES.push(tracing(name.endsWith('-sdk')));
      return memoryCase();
    case 'memory':
      return memoryCase();
    case 'rabbitmq+tracing-sdk':
      MODULES.push(tracing(true));
      return rabbitCase();
    case 'rabbitmq':
    case 'rabbitmq+postgres':
    case 'rabbitmq+postgres-gc':
      return rabbitCase();
    case 'postgres-queue': {
      const store = new PostgresStore({ connectionString: PG, schema: `bench_${id}`, poolSize: THREADS * 2 + 5 });
      const q = store.queues.create('postgres://default/work');
      await (q as unknown as { create(): Promise<void> }).create();
      const filling = performance.now();
      for (let i = 0; i < COUNT; i++) await q.enqueue(emptyTransportMessage(), envelope('postgres://default/work'));
      extra = { enqueuePerSec: perSecond(filling) };
      const ms = await endpoint(store.queues, 'postgres://default/work', 'postgres://default/error', { factory: store.idempotence() });
      await store.database.execute(`DROP SCHEMA bench_${id} CASCADE`);
      await store.close();
      return ms;
    }
    case 'postgres-queue-batch':
      return postgresQueueBatchCase(id);
    case 'postgres-queue-batch+tracing-api':
    case 'postgres-queue-batch+tracing-sdk':
      MODULES.push(tracing(name.endsWith('-sdk')));
      return postgresQueueBatchCase(id);
    case 'postgres-queue-batch-unnamed':
    case 'postgres-queue-batch-pgbouncer': {
      // The fast path of a queue in the database: batches of 100 rows, group commit, 64 loops. -unnamed: the
      // same server, in the transaction-pooler mode (unnamed statements, timeouts set per transaction), its
      // cost alone; -pgbouncer: that mode through PgBouncer (PGBOUNCER_URL), LISTEN on the server itself.
      const pooler = { pooler: 'transaction' as const, listenConnectionString: PG };
      const at = name === 'postgres-queue-batch-pgbouncer' ? PGBOUNCER : PG;
      const store = new PostgresStore({ connectionString: at, schema: `bench_${id}`, poolSize: 20, ...pooler });
      const uri = 'postgres://default/work?batch=100';
      const q = store.queues.create(uri);
      await (q as unknown as { create(): Promise<void> }).create();
      extra = { enqueuePerSec: await fillTogether(q, 'postgres://default/work') };
      const ms = await endpoint(store.queues, uri, 'postgres://default/error', { factory: store.idempotence({ groupCommit: { lanes: 1, maxBatchSize: 64 } }) });
      await store.database.execute(`DROP SCHEMA bench_${id} CASCADE`);
      await store.close();
      return ms;
    }
    case 'sqlite-batch': {
      const dir = CHILD ? null : mkdtempSync(join(tmpdir(), 'oncebus-bench-'));
      const file = CHILD?.file ?? join(dir!, 'bench.db');
      const store = new SqliteStore({ file, synchronous: 'NORMAL' });
      // The fast path of a queue in the SQLite file: batches of 100 rows, group commit, 64 loops.
      const uri = 'sqlite://default/work?batch=100';
      const idempotence = { factory: store.idempotence({ groupCommit: { lanes: 1, maxBatchSize: 64 } }) };
      if (CHILD) return endpoint(store.queues, uri, 'sqlite://default/error', idempotence);
      const q = store.queues.create(uri);
      await (q as unknown as { create(): Promise<void> }).create();
      extra = { enqueuePerSec: await fillTogether(q, 'sqlite://default/work') };
      // "@1": the endpoint in a child of its own, on the file filled here (the backlog bench: its RSS is the consumer's alone).
      const ms = MULTI ? await twoProcesses('sqlite://default/work', undefined, file) : await endpoint(store.queues, uri, 'sqlite://default/error', idempotence);
      await store.close();
      rmSync(dir!, { recursive: true, force: true });
      return ms;
    }
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'oncebus-bench-'));
      const store = new SqliteStore({ file: join(dir, 'bench.db'), synchronous: 'NORMAL' });
      const q = store.queues.create('sqlite://default/work');
      await (q as unknown as { create(): Promise<void> }).create();
      const filling = performance.now();
      for (let i = 0; i < COUNT; i++) await q.enqueue(emptyTransportMessage(), envelope('sqlite://default/work'));
      extra = { enqueuePerSec: perSecond(filling) };
      const ms = await endpoint(store.queues, 'sqlite://default/work', 'sqlite://default/error', { factory: store.idempotence() });
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      return ms;
    }
    default:
      throw new Error(`unknown case ${name}`);
  }
}

let extra: Record<string, number> = {};

/** COUNT messages over the time since `since` (performance.now()), per second: the fill loop's enqueue rate. */
const perSecond = (since: number) => Math.round(COUNT / ((performance.now() - since) / 1000));

/**
 * Fills a SQL queue with COUNT messages enqueued together, 1000 at a time (what bus.sendMany does: the
 * queue writes each thousand with one statement and one commit); resolves to messages per second.
 */
async function fillTogether(q: { enqueue(m: ReturnType<typeof emptyTransportMessage>, body: Uint8Array): Promise<void> }, recipient: string): Promise<number> {
  const started = performance.now();
  for (let done = 0; done < COUNT; done += 1000) {
    const chunk = Math.min(1000, COUNT - done);
    await Promise.all(Array.from({ length: chunk }, () => q.enqueue({ ...emptyTransportMessage(), messageId: randomUUID() }, envelope(recipient))));
  }
  return Math.round(COUNT / ((performance.now() - started) / 1000));
}
const ms = await run();
clearInterval(sampler);
// A case that never yields to the timer (all in microtasks) is still measured once at its end.
peak = Math.max(peak, process.memoryUsage.rss());
const processes = MULTI ? { processes: PROCESSES } : {};
// CPU per message of a single-process case (the first message's own is outside the window, like its time).
const cpu = multiCpu ? { cpu: multiCpu } : cpuFrom && cpuTo && !MULTI ? { cpu: cpuPerMessage(cpuFrom, cpuTo, Number(countArg) - 1) } : {};
process.stdout.write(`${JSON.stringify({ case: caseArg, threads: THREADS, messages: Number(countArg), ms, rss: MULTI ? childrenRss : peak, ...processes, ...extra, ...cpu })}\n`);
process.exit(0);
