// The crash harness (npm run chaos): N worker processes compete on one RabbitMQ queue with PostgreSQL
// idempotence; M messages go in (some two or three times under one messageId, some failing their first
// attempt, a few poison, about one in ten expiring within seconds); each handled one sends a follow-up and
// publishes an event to three subscribers; workers are SIGKILLed at random moments and at named fault
// points and restarted; the broker restarts once and the database once. Then the database and the queues
// are audited: every message that does not expire has its effect, its follow-up and its three events
// exactly once; one that expires has all of them exactly once, or none. Beside the fed messages, a producer
// process places S orders through transactional sessions (the order's row and its Work in one transaction)
// and is SIGKILLed too, at random and inside the dispatch after its commits: each order whose row committed
// has its Work's effect, follow-up and events exactly once, and no Work goes out without its order's row.
// Then the operations phase (operations-phase.ts): the poison messages are ingested from the error queue and,
// once repaired, returned by `npx oncebus errors …` processes that are SIGKILLed at random too; each must
// then have its effect, follow-up and events exactly once, and one record, returned.
// Last line: `chaos: M messages, S sessions, K kills, L lost, D duplicated effects`; exit 0 only if L = D = 0
// and nothing is left anywhere (queues, error queues, unreturned records).
// `--transport postgres` runs every queue as a table in the run's PostgreSQL schema, the workers taking
// `--batch` rows at a time (default 32): the same kills, database restart, operations phase and audit (the
// tables empty at the end); no broker restart, there is no broker. `--transport sqlite` runs everything in
// one SQLite file instead (queue tables, idempotence, subscriptions, sessions, the business tables; the
// operations store in a file beside it), needs no server, and restarts the database the embedded way:
// every process holding the file SIGKILLed at once (chaos-database.ts has what differs by database).
// `--sagas N` adds N saga instances beside them, on a saga endpoint of every worker (chaos-saga.ts,
// saga-workload.ts): each started by one message and advanced by two events fed in any order (an event
// before its start is retried until the start ran); every fourth has no second event and ends by a 2–5 s
// timeout requested at its start. Under the same kills and restarts each instance must complete exactly
// once, writing its final state (what it saw, or its timeout) into an audit table in the message's
// transaction, and leave no saga row; the last line then names the sagas and counts their losses and doubles.
// `--cluster` runs every queue as a quorum queue on the local three-node RabbitMQ cluster (services.sh start
// rabbitmq-cluster), each process reaching it through the host list from a node of its own; instead of the
// single broker's restart, the node leading the work queue is SIGKILLed `--leader-kills` times (default 5)
// and started again, and the stall of the work (no new effect) after each loss is measured and reported.
//   node dist/test/chaos/main.js --messages 10000 --sessions 2500 --workers 3 --kills 100 --seed 7
import amqp from 'amqplib';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import { deserializeTransportMessage, serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { type IQueue, isCountQueue, isCreateQueue, isSchedulingQueue } from '../../src/transport/queue.js';
import { canonicalQueueAddress } from '../../src/transport/queue-uri.js';
import { exchangeNameFor } from '../../src/transports/rabbitmq/index.js';
import { openChaosDatabase } from './chaos-database.js';
import { type ChaosConfig, chaosQueue, onQueueTables, SUBSCRIBERS, sessionWorkId, shippedType } from './chaos-messages.js';
import { chaosTransport } from './chaos-transport.js';
import { CLUSTER_HOSTS } from '../support/rabbitmq-cluster.js';
import { LeaderKiller } from './leader-killer.js';
import { operationsPhase } from './operations-phase.js';
import { SAGA_AUDIT_COLUMNS, SAGA_AUDIT_TABLE } from './chaos-saga-messages.js';
import { auditSagas, feedSagas, planSagas, type SagaFeed, sagaRowsLeft, sagasCompleted } from './saga-workload.js';
import type { FaultPointName } from '../../src/testing/index.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const arg = (name: string, fallback: number): number => Number(option(name) ?? fallback);
const TRANSPORT = option('transport') ?? 'rabbitmq';
if (TRANSPORT !== 'rabbitmq' && TRANSPORT !== 'postgres' && TRANSPORT !== 'sqlite') throw new Error(`--transport ${TRANSPORT}: give rabbitmq, postgres or sqlite`);
const MESSAGES = arg('messages', 300);
const SESSIONS = arg('sessions', Math.floor(MESSAGES / 4));
const SAGAS = arg('sagas', 0);
const WORKERS = arg('workers', 3);
const KILLS = arg('kills', 12);
const SEED = arg('seed', Date.now() % 100_000);
const TIMEOUT_MS = arg('timeout', 300) * 1000;
const CLUSTER = process.argv.includes('--cluster');
if (CLUSTER && TRANSPORT !== 'rabbitmq') throw new Error('--cluster is a RabbitMQ cluster: leave --transport out');
const LEADER_KILLS = CLUSTER ? arg('leader-kills', 5) : 0;
const FAULT_POINTS: readonly FaultPointName[] = [
  'inbox:onHandleMessage',
  'inbox:onAfterCommitUnitOfWork',
  'flush:onAfterDispatchDeferredMessage',
  'flush:onAfterDeferredMessageSent',
  'inbox:onProcessingCompleted',
];
/** Where the producer kills itself: after a session's commit, before, inside and after its dispatch. */
const SESSION_FAULT_POINTS: readonly FaultPointName[] = ['flush:onBeforeDispatchDeferredMessage', 'flush:onAfterDispatchDeferredMessage', 'flush:onAfterDeferredMessageSent'];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with --seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);

const root = fileURLToPath(new URL('../../../', import.meta.url));
if (!process.argv.includes('--no-services')) execFileSync('bash', ['scripts/services.sh', 'start'], { cwd: root, stdio: 'ignore' });
const cfg: ChaosConfig = {
  rabbitUrl: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  pgUrl: process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus',
  schema: `chaos_${randomUUID().replace(/-/g, '').slice(0, 10)}`,
  prefix: `chaos-${randomUUID().slice(0, 6)}`,
  groupCommit: !process.argv.includes('--per-message'),
  transport: TRANSPORT,
  batch: arg('batch', 32),
  // A directory of its own: the file, its WAL and the operations store's file, removed at the end.
  sqliteFile: TRANSPORT === 'sqlite' ? join(mkdtempSync(join(tmpdir(), 'oncebus-chaos-')), 'chaos.db') : '',
  sagas: SAGAS,
  clusterHosts: CLUSTER ? CLUSTER_HOSTS.join(',') : '',
};
const onTables = onQueueTables(cfg);
const db = await openChaosDatabase(cfg, 'harness');
log(`idempotence: ${cfg.groupCommit ? 'group commit' : 'one transaction per message'}; queues: ${onTables ? db.description : CLUSTER ? `RabbitMQ quorum queues on the cluster ${cfg.clusterHosts}` : 'RabbitMQ'}; publishes: ${onTables ? 'to the subscription rows' : 'through RabbitMQ exchanges'}`);
const transport = chaosTransport(cfg, db.queues);
const queue = (name: string): IQueue => transport.factory.create(chaosQueue(cfg, name));

// --- workers -------------------------------------------------------------------------------------------
const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const workers: (ChildProcess | null)[] = [];
let kills = 0;
/** Workers started to kill themselves at a fault point, and of those at one of the saga endpoint (--sagas). */
let faults = 0;
let sagaFaults = 0;
let stopping = false;
/** While the database restart holds every process down (SQLite): nothing comes back until it is over. */
let holdersDown = false;

function startWorker(slot: number, fault?: string): void {
  // With sagas, every other fault strikes in the saga endpoint (every one when no messages are fed).
  const faultEndpoint = fault && SAGAS > 0 && (MESSAGES === 0 || faults++ % 2 === 1) ? 'saga' : 'work';
  if (faultEndpoint === 'saga') sagaFaults++;
  const env = { ...process.env, CHAOS_CONFIG: JSON.stringify(cfg), FAULT: fault ?? '', FAULT_ENDPOINT: faultEndpoint };
  const child = spawn(process.execPath, [WORKER], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  workers[slot] = child;
  child.on('exit', (_code, signal) => {
    if (signal === 'SIGKILL') kills++;
    if (workers[slot] === child) workers[slot] = null;
    // A dead worker comes back (without a fault) unless the run is over.
    if (!stopping) setTimeout(() => workers[slot] === null && !stopping && !holdersDown && startWorker(slot), 100 + random() * 400);
  });
}

// --- the session producer --------------------------------------------------------------------------------
const PRODUCER = fileURLToPath(new URL('./producer.js', import.meta.url));
let producer: ChildProcess | null = null;
let producerKills = 0;

function startProducer(fault?: string): void {
  if (SESSIONS === 0) return;
  const child = spawn(process.execPath, [PRODUCER], {
    env: { ...process.env, CHAOS_CONFIG: JSON.stringify(cfg), SESSIONS: String(SESSIONS), FAULT: fault ?? '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  producer = child;
  child.on('exit', (_code, signal) => {
    if (signal === 'SIGKILL') {
      kills++;
      producerKills++;
    }
    if (producer === child) producer = null;
    if (!stopping) setTimeout(() => producer === null && !stopping && !holdersDown && startProducer(), 100 + random() * 400);
  });
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));

/**
 * The database restart of an embedded database: every process that has the file open (the workers and the
 * producer) SIGKILLed in one go, kept down until all of them have exited; `restart` brings them back.
 */
async function killHolders(): Promise<number> {
  holdersDown = true;
  const holders = [...workers, producer].filter((c): c is ChildProcess => c !== null);
  for (const child of holders) child.kill('SIGKILL');
  await Promise.all(holders.map(exited));
  return holders.length;
}

async function restartDatabase(): Promise<void> {
  await db.restart(killHolders, log);
  if (!holdersDown) return; // a server restarted: every process rode it out
  holdersDown = false;
  for (let slot = 0; slot < WORKERS; slot++) if (workers[slot] === null) startWorker(slot);
  if (producer === null) startProducer();
}

// --- the cluster's leader kills ----------------------------------------------------------------------------
const leaderKiller = new LeaderKiller(LEADER_KILLS, `${cfg.prefix}-work`, async () => {
  const [row] = await db.store.database
    .query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM ${db.table('business')}`)
    .catch(() => [] as { n: number }[]);
  return row?.n ?? -1;
}, log);

// --- the run -------------------------------------------------------------------------------------------
/** The endpoints that receive what the work handler sends and publishes. */
const RECEIVERS = ['followups', ...SUBSCRIBERS];
/** The saga endpoint's queue (--sagas): the harness feeds it; its timeouts come back to it. */
const SAGA_QUEUES = SAGAS > 0 ? ['saga'] : [];

async function setUp(): Promise<void> {
  const { store } = db;
  const t = db.table;
  await store.store.ready();
  await store.database.execute(`CREATE TABLE ${t('business')} (message_id text NOT NULL, n integer NOT NULL)`);
  // The producer's orders: the key makes a second row for one order impossible (that session rolls back).
  await store.database.execute(`CREATE TABLE ${t('orders')} (order_id text PRIMARY KEY, session_id text NOT NULL)`);
  // The poison messages the operator has repaired: their handler succeeds once they are returned.
  await store.database.execute(`CREATE TABLE ${t('repaired')} (message_id text PRIMARY KEY)`);
  await store.database.execute(`CREATE TABLE ${t('followups')} (work_message_id text NOT NULL, n integer NOT NULL)`);
  await store.database.execute(`CREATE TABLE ${t('shipped')} (subscriber text NOT NULL, work_message_id text NOT NULL, n integer NOT NULL)`);
  // What each saga instance's completing handler wrote: its final state, one row per completion.
  await store.database.execute(`CREATE TABLE ${t(SAGA_AUDIT_TABLE)} (${SAGA_AUDIT_COLUMNS})`);
  // Subscribed before the first publish, so that every publish has all three recipients.
  const address = (uri: string) => transport.factory.address?.(uri) ?? canonicalQueueAddress(uri);
  // On RabbitMQ by the broker (bindings to the type's exchange, what the workers' endpoints use with no
  // subscription store bound); on queue tables in the store's subscription rows.
  const subscriptions = transport.factory.subscriptions?.(chaosQueue(cfg, 'work')) ?? store.subscriptions;
  for (const name of SUBSCRIBERS) await subscriptions.subscribe([shippedType(cfg.prefix)], address(chaosQueue(cfg, name)));
  // Queue tables exist before the feed and the producer send to them (a broker declares its queues on first
  // use; an endpoint creates its tables only when it starts).
  if (onTables) {
    for (const name of ['work', 'work-error', ...[...RECEIVERS, ...SAGA_QUEUES].flatMap((r) => [r, `${r}-error`])]) {
      const q = queue(name);
      if (isCreateQueue(q)) await q.create();
      await q.close();
    }
  }
}

/** The receiving endpoints' tables, by what they record: each holds the work messageIds it saw. */
const RECORDS = ['followups', ...SUBSCRIBERS.map((name) => `shipped:${name}`)] as const;

function workMessage(n: number, failFirst: boolean, poison: boolean, expiresInMs: number): TransportMessage {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = 'chaos.Work';
  tm.sendDate = Date.now();
  tm.expiryDate = expiresInMs > 0 ? tm.sendDate + expiresInMs : 0;
  tm.recipientInboxWorkQueueUri = chaosQueue(cfg, 'work');
  tm.message = Buffer.from(JSON.stringify({ n, failFirst, poison }));
  return tm;
}

interface Fed {
  /** Messages that must have their effects exactly once. */
  expected: Map<string, number>;
  poison: Set<string>;
  /** Messages that may expire first: all of their effects exactly once, or none. */
  expiring: Set<string>;
}

async function feed(): Promise<Fed> {
  const q = queue('work');
  const expected = new Map<string, number>();
  const poison = new Set<string>();
  const expiring = new Set<string>();
  const poisonCount = Math.max(1, Math.floor(MESSAGES / 100));
  for (let n = 0; n < MESSAGES; n++) {
    const isPoison = n % Math.floor(MESSAGES / poisonCount) === 7 % Math.floor(MESSAGES / poisonCount) && poison.size < poisonCount;
    // An expiry from 0.2 to 15 s: some expire waiting, some after their work committed (a kill between
    // commit and flush, the redelivered copy expired: it must still flush).
    const expiresInMs = !isPoison && random() < 0.1 ? 200 + Math.floor(random() * 14_800) : 0;
    const tm = workMessage(n, random() < 0.1, isPoison, expiresInMs);
    if (isPoison) poison.add(tm.messageId);
    else if (expiresInMs > 0) expiring.add(tm.messageId);
    else expected.set(tm.messageId, n);
    const copies = random() < 0.05 ? 3 : random() < 0.12 ? 2 : 1;
    for (let c = 0; c < copies; c++) await enqueueSurely(q, tm);
    if (n % 20 === 0) await sleep(5); // a stream, not a burst: kills land while messages are in flight
  }
  await q.close();
  return { expected, poison, expiring };
}

async function enqueueSurely(q: IQueue, tm: TransportMessage): Promise<void> {
  for (;;) {
    try {
      await q.enqueue(tm, serializeTransportMessage(tm));
      return;
    } catch {
      await sleep(200); // the broker or the database is restarting: the send failed typed, send again
    }
  }
}

/** The saga instances' messages, beside the work messages; a random stream of their own, so the work messages' feed is the seed's with or without sagas. */
async function feedSagaQueue(): Promise<SagaFeed> {
  const sagaRandom = mulberry32(SEED ^ 0x5a6a);
  const q = queue('saga');
  const fed = await feedSagas(planSagas(SAGAS, sagaRandom), chaosQueue(cfg, 'saga'), (tm) => enqueueSurely(q, tm), sagaRandom, sleep);
  await q.close();
  return fed;
}

async function chaos(progress: () => number): Promise<void> {
  // --no-restarts: kills only, for a run beside others who use the same servers (the short run restarts both).
  const restarts = !process.argv.includes('--no-restarts');
  let brokerRestarted = onTables || !restarts;
  if (onTables) log(`chaos: no broker restart: the queues are ${db.description}, restarted with the database`);
  if (!restarts) log('chaos: no restarts (--no-restarts): kills only');
  let databaseRestarted = !restarts;
  // On the cluster the single broker is not restarted (others may use it): its nodes die instead.
  if (CLUSTER) brokerRestarted = true;
  let attempts = 0;
  while (!stopping && (attempts < KILLS || !brokerRestarted || !databaseRestarted || leaderKiller.pending)) {
    await sleep(200 + random() * 600);
    if (stopping) return;
    const p = progress();
    // Leader kills spread over the work (from 10 % to 80 % of it), one node down at a time.
    if (leaderKiller.due(p)) {
      leaderKiller.kill(Math.round(p * 100));
      continue;
    }
    if (!brokerRestarted && p > 0.3) {
      brokerRestarted = true;
      log(`chaos: restarting the broker (${Math.round(p * 100)} % of the messages handled)`);
      execFileSync('rabbitmqctl', ['-q', 'stop_app']);
      await sleep(1000);
      execFileSync('rabbitmqctl', ['-q', 'start_app']);
      continue;
    }
    if (!databaseRestarted && p > 0.6) {
      databaseRestarted = true;
      log(`chaos: the database restarts with ${Math.round(p * 100)} % of the messages handled`);
      await restartDatabase();
      continue;
    }
    if (attempts >= KILLS) continue;
    attempts++;
    // Every fourth kill is the producer's (while it places orders, mostly), the others a worker's.
    const slot = SESSIONS > 0 && attempts % 4 === 2 ? WORKERS : Math.floor(random() * WORKERS);
    if (slot === WORKERS) {
      const child = producer;
      if (!child) continue;
      producer = null;
      child.kill('SIGKILL');
      // Back at once, half the time one that kills itself in a session's dispatch, a few sessions in.
      if (random() < 0.5) startProducer(`${SESSION_FAULT_POINTS[Math.floor(random() * SESSION_FAULT_POINTS.length)]!}:kill:${1 + Math.floor(random() * 4)}`);
      continue;
    }
    const child = workers[slot];
    if (!child) continue;
    if (random() < 0.5) {
      child.kill('SIGKILL');
    } else {
      // Replace the worker with one that kills itself at a named point, a few messages in.
      const point = FAULT_POINTS[Math.floor(random() * FAULT_POINTS.length)]!;
      workers[slot] = null;
      child.kill('SIGKILL');
      startWorker(slot, `${point}:kill:${1 + Math.floor(random() * 4)}`);
    }
  }
}

/** How many times each work message's effect, follow-up and events were recorded, by record; and the committed orders' Work ids. */
async function recorded(): Promise<{ business: Map<string, number>; records: Map<string, Map<string, number>>; orders: Set<string> }> {
  const { database } = db.store;
  const t = db.table;
  const tally = (rows: { id: string; c: number }[]) => new Map(rows.map((r) => [r.id, r.c]));
  const business = tally(await database.query(`SELECT message_id AS id, CAST(count(*) AS integer) AS c FROM ${t('business')} GROUP BY message_id`));
  const records = new Map<string, Map<string, number>>();
  records.set('followups', tally(await database.query(`SELECT work_message_id AS id, CAST(count(*) AS integer) AS c FROM ${t('followups')} GROUP BY work_message_id`)));
  const shipped = await database.query<{ subscriber: string; id: string; c: number }>(
    `SELECT subscriber, work_message_id AS id, CAST(count(*) AS integer) AS c FROM ${t('shipped')} GROUP BY subscriber, work_message_id`,
  );
  for (const name of SUBSCRIBERS) records.set(`shipped:${name}`, tally(shipped.filter((r) => r.subscriber === name)));
  const orders = new Set((await database.query<{ order_id: string }>(`SELECT order_id FROM ${t('orders')}`)).map((r) => sessionWorkId(r.order_id)));
  return { business, records, orders };
}

/** Work messages whose effect is recorded with every follow-up and event; and whether nothing is missing. */
function complete(fed: Fed, r: Awaited<ReturnType<typeof recorded>>): { done: number; settled: boolean } {
  const whole = (id: string) => r.business.has(id) && RECORDS.every((name) => r.records.get(name)?.has(id));
  const done = [...fed.expected.keys()].filter(whole).length;
  // An expiring message that was handled owes its follow-up and events too; every order placed (its row
  // committed) owes its Work's.
  const settled = done === fed.expected.size && [...r.business.keys()].every(whole) && r.orders.size === SESSIONS && [...r.orders].every(whole);
  return { done, settled };
}

/** Messages whose unit of work committed and whose stored sends are not all out yet. */
async function owed(): Promise<number> {
  const [r] = await db.store.database.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM ${db.idempotenceTable} WHERE status = 'handled'`);
  return r?.n ?? 0;
}

async function drain(name: string): Promise<TransportMessage[]> {
  const q = queue(name);
  const all: TransportMessage[] = [];
  for (let empty = 0; empty < 3; ) {
    const r = await q.getMessage();
    if (!r) {
      empty++;
      continue;
    }
    all.push(deserializeTransportMessage(r.body));
    await q.acknowledge(r.token);
  }
  await q.close();
  return all;
}

/** Rows of a queue table not due yet (a retry waiting out its delay): no receiver sees them, yet they are left over. */
async function withheld(name: string): Promise<number> {
  const q = queue(name);
  const n = isSchedulingQueue(q) && isCountQueue(q) ? await q.count() : 0;
  await q.close();
  return n;
}

/** Messages ready in a broker queue (not those a consumer holds; RabbitMQ counts no unacknowledged ones); 1 if it cannot tell (a node is down). */
async function readyIn(name: string): Promise<number> {
  const q = queue(name);
  const n = isCountQueue(q) ? await q.count().catch(() => 1) : 0;
  await q.close();
  return n;
}

/** Waits until every expected effect exists with its follow-up and events, and every handled expiring message's too. */
async function settle(fed: Fed, started: number, onProgress: (done: number) => void): Promise<void> {
  for (;;) {
    const c = await recorded().then((r) => complete(fed, r)).catch(() => ({ done: 0, settled: false }));
    onProgress(c.done);
    if (c.settled) return;
    if (Date.now() - started > TIMEOUT_MS) {
      log(`chaos: timed out with ${c.done} of ${fed.expected.size} messages complete`);
      return;
    }
    await sleep(500);
  }
}

/**
 * While the feed runs, the messages handled so far (their business rows): so the broker and database
 * restarts land in the middle of the work, not after the feed, when most of it was already done.
 */
async function trackWhileFeeding(feeding: Promise<unknown>, onProgress: (done: number) => void): Promise<void> {
  let fed = false;
  void feeding.finally(() => (fed = true)).catch(() => undefined);
  while (!fed) {
    const [row] = await db.store.database
      .query<{ n: number }>(`SELECT CAST(count(DISTINCT message_id) AS integer) AS n FROM ${db.table('business')}`)
      .catch(() => [] as { n: number }[]); // restarting: try again
    if (row) onProgress(row.n);
    await sleep(500);
  }
}

/**
 * Every effect exists; what a crash left mid-flush may still be owed (a redelivered copy waits out the dead
 * copy's flush lease, then sends it again): waits until no row is 'handled'.
 */
async function owedSent(started: number): Promise<void> {
  while (Date.now() - started < TIMEOUT_MS && (await owed().catch(() => 1)) > 0) await sleep(500);
}

/**
 * Queue rows taken by a process that was killed stay leased until their lease runs out (SQLite); the workers
 * then take them again (copies already handled: ignored; a poison message's copy: failed once more, into
 * the error queue). Waits until the `names` tables are empty — before the operations phase, so that the
 * ingestor sees every failed copy; before the audit, so that it does not count them as left over — or the
 * run's deadline passes (a row stuck for good is then reported as left over). Not a lease and a little
 * longer: on a loaded machine the workers may need longer than that to take the copies again.
 */
async function leasesRunOut(started: number, names: readonly string[]): Promise<void> {
  const until = started + TIMEOUT_MS;
  for (;;) {
    let rows = 0;
    for (const name of names) rows += await withheld(name);
    if (rows === 0 || Date.now() > until) return;
    await sleep(500);
  }
}

/** Saga instances completed so far (the audit table's keys): read by the restarts' progress. */
let sagasDone = 0;

/** Waits until every saga instance completed and no saga row is left, or the run's deadline passes. */
async function settleSagas(started: number): Promise<void> {
  for (;;) {
    const left = await Promise.all([sagasCompleted(db), sagaRowsLeft(db)])
      .then(([completed, rows]) => {
        sagasDone = completed;
        return SAGAS - completed + rows;
      })
      .catch(() => 1); // restarting: ask again
    if (left === 0) return;
    if (Date.now() - started > TIMEOUT_MS) {
      log(`chaos: timed out with ${sagasDone} of ${SAGAS} saga instances complete`);
      return;
    }
    await sleep(500);
  }
}

/** The longest saga timeout (sagaPlan) and a margin: a reminder still pending for a completed instance is due and dropped by then. */
const SAGA_TIMEOUTS_DUE_MS = 7000;

async function main(): Promise<number> {
  log(`chaos: seed ${SEED}, ${MESSAGES} messages, ${SAGAS > 0 ? `${SAGAS} sagas, ` : ''}${WORKERS} workers, ${KILLS} kills; schema ${cfg.schema}`);
  await setUp();
  for (let i = 0; i < WORKERS; i++) startWorker(i);
  startProducer();
  const started = Date.now();
  let expectedCount = MESSAGES;
  let done = 0;
  // The restarts land at a share of all the work: the messages and the saga instances.
  const progress = () => (done + sagasDone) / (expectedCount + SAGAS);
  const fed = feed();
  const sagaFeed = SAGAS > 0 ? feedSagaQueue() : null;
  const sagasSettled = SAGAS > 0 ? settleSagas(started) : Promise.resolve();
  const chaosRun = chaos(progress);
  const tracking = trackWhileFeeding(fed, (d) => (done = d));
  const fedMessages = await fed;
  await tracking;
  const { expected, poison, expiring } = fedMessages;
  expectedCount = expected.size;
  log(`chaos: fed ${expected.size + poison.size + expiring.size} distinct messages (${poison.size} poison, ${expiring.size} expiring)`);

  await settle(fedMessages, started, (d) => (done = d));
  const sagasFed = await sagaFeed;
  if (sagasFed) log(`chaos: fed ${SAGAS} saga instances (${sagasFed.plans.filter((p) => p.outcome === 'timeout').length} to end by their timeout), ${sagasFed.eventsBeforeStart} events before their start`);
  await sagasSettled;
  const sagasSettledAt = Date.now();
  await chaosRun.catch((e: unknown) => log(`chaos: ${String(e)}`));
  await leaderKiller.settled();
  await owedSent(started);
  if (db.takenRowsReturnAfterMs > 0) await leasesRunOut(started, ['work', ...RECEIVERS, ...SAGA_QUEUES]);

  // The operator's turn: ingest the poison messages, repair, return them; killed at random all along.
  // With no messages fed (--messages 0: sagas alone) nothing failed: no operator's turn.
  const noOperations = { ingestorKills: 0, returnerKills: 0, returnsCutMidway: 0, returnedOnce: 0, wrongRecords: [], mergedCopies: 0 };
  const ops = poison.size === 0 ? noOperations : await operationsPhase({
    cfg,
    db,
    poison,
    kills: Math.max(2, Math.ceil(KILLS / 4)),
    random,
    log,
    deadline: started + TIMEOUT_MS,
    // The broker counts the ready messages: one a killed ingestor held comes back ready, and the last ingestor must take it too
    // (on the cluster also a second copy of a poison message whose first move's ack was lost with a node).
    errorQueueRows: () => (onTables ? withheld('work-error') : readyIn('work-error')),
  });
  for (const id of poison) expected.set(id, -1); // returned after the repair: now each must have its effects once
  await settle(fedMessages, started, (d) => (done = d));
  await owedSent(started);
  if (db.takenRowsReturnAfterMs > 0) await leasesRunOut(started, ['work', 'work-error', ...[...RECEIVERS, ...SAGA_QUEUES].flatMap((r) => [r, `${r}-error`])]);
  // A saga's reminder still pending for a completed instance comes due and is dropped before the workers stop.
  await sleep(Math.max(2000, SAGAS > 0 ? sagasSettledAt + SAGA_TIMEOUTS_DUE_MS - Date.now() : 0));
  if (onTables && SAGAS > 0) await leasesRunOut(started, SAGA_QUEUES);
  stopping = true;
  await Promise.all(
    [...workers, producer].map((w) => {
      if (!w) return null;
      const exited = new Promise((r) => w.on('exit', r));
      w.kill('SIGTERM');
      return exited;
    }),
  );

  // Audit: a message is lost when it must have its effect and lacks it or any follow-up or event, or when
  // it had its effect (expiring or not) and lacks a follow-up or event; a follow-up or event without
  // its effect is lost work too (its origin rolled back yet it went out).
  const { business: b, records, orders } = await recorded();
  let lost = 0;
  const ids = new Set([...expected.keys(), ...orders, ...b.keys(), ...[...records.values()].flatMap((m) => [...m.keys()])]);
  for (const id of ids) {
    const mustHappen = expected.has(id) || orders.has(id) || b.has(id);
    const some = b.has(id) || RECORDS.some((name) => records.get(name)?.has(id));
    const all = b.has(id) && RECORDS.every((name) => records.get(name)?.has(id));
    if ((mustHappen || some) && !all) lost++;
  }
  // A session's Work without its order's row went out of a transaction that did not commit.
  const ghosts = [...b.keys()].filter((id) => id.startsWith(sessionWorkId('')) && !orders.has(id)).length;
  const sessionsPlaced = orders.size;
  let duplicated = 0;
  for (const c of [...b.values(), ...[...records.values()].flatMap((m) => [...m.values()])]) if (c > 1) duplicated++;
  const expiredUnhandled = [...expiring].filter((id) => !b.has(id)).length;
  // Every poison message was returned and handled (its effects are audited above with the others): nothing
  // may be left in the error queue.
  const strays = await drain('work-error');
  const strayErrors = strays.length + (await withheld('work-error'));
  if (strays.length > 0) log(`chaos: in the error queue: ${strays.map((m) => `${m.messageId} ${m.messageType} (${(m.failureMessages.at(-1) ?? 'no failure').slice(0, 200)})`).join('; ')}`);
  const sagaAudit = sagasFed ? await auditSagas(db, sagasFed.plans) : null;
  const leftovers: Record<string, number> = {};
  // On RabbitMQ an endpoint defers through a queue of its own; a queue table holds its deferred rows itself.
  const receivers = [...RECEIVERS, ...SAGA_QUEUES];
  const deferred = onTables ? [] : ['work-deferred', ...receivers.map((r) => `${r}-deferred`)];
  for (const name of ['work', ...deferred, ...receivers.flatMap((r) => [r, `${r}-error`])]) {
    const left = await drain(name);
    const n = left.length + (await withheld(name));
    if (n > 0) leftovers[name] = n;
    if (left.length > 0) log(`chaos: left in ${name}: ${left.map((m) => `${m.messageId} ${m.messageType} (${(m.failureMessages.at(-1) ?? m.headers['oncebus-failure-reason'] ?? 'no failure').slice(0, 300)})`).join('; ')}`);
  }
  const opsOk = ops.returnedOnce === poison.size && ops.wrongRecords.length === 0;
  log(`chaos: sessions placed ${sessionsPlaced}/${SESSIONS} (the producer killed ${producerKills} times), Work without its order's row: ${ghosts}`);
  log(
    `chaos: operations: ${ops.returnedOnce}/${poison.size} failed messages ingested and returned, each one record (the ingestor killed ${ops.ingestorKills} times, the returner ${ops.returnerKills}, ${ops.returnsCutMidway} of them between storing a return and marking it; ${ops.mergedCopies} merged from two copies); other records: ${ops.wrongRecords.length === 0 ? 'none' : ops.wrongRecords.join(', ')}`,
  );
  if (sagaAudit) {
    const a = sagaAudit;
    log(
      `chaos: sagas: ${a.completedOnce}/${SAGAS} instances completed exactly once (${a.byEvents} by both events, ${a.byTimeout} by their timeout; ${a.rearmed} timeouts came before the first event and were requested again); reminders fired before completion: ${a.remindersFired}/${a.reminders}, the others dropped; ${sagaFaults} workers set to kill themselves at a fault point of the saga endpoint; wrong final state: ${a.wrongCount}${a.wrong.length > 0 ? ` (${a.wrong.join('; ')})` : ''}; lost ${a.lost}, completed twice or more ${a.duplicated}; saga rows left: ${a.rowsLeft}`,
    );
  }
  log(`chaos: messages left in the error queue: ${strayErrors}; expiring messages dropped unhandled: ${expiredUnhandled}/${expiring.size}; left in queues: ${JSON.stringify(leftovers)}; ${Math.round((Date.now() - started) / 1000)} s`);
  await transport.close();
  const keep = process.argv.includes('--keep');
  if (!keep) {
    // Queue tables go with the database's tables.
    if (!onTables) await deleteFromBroker(['work', 'work-error', ...deferred, ...receivers.map((r) => `${r}-error`), ...receivers].map((name) => `${cfg.prefix}-${name}`), exchangeNameFor(shippedType(cfg.prefix)));
  }
  await db.close(!keep);
  const sagasOk = !sagaAudit || (sagaAudit.completedOnce === SAGAS && sagaAudit.wrongCount === 0 && sagaAudit.rowsLeft === 0);
  if (CLUSTER) log(`chaos: cluster: ${leaderKiller.summary()}`);
  const ok = lost === 0 && duplicated === 0 && ghosts === 0 && sessionsPlaced === SESSIONS && opsOk && sagasOk && strayErrors === 0 && Object.keys(leftovers).length === 0;
  const sagaLost = sagaAudit?.lost ?? 0;
  const sagaDuplicated = sagaAudit?.duplicated ?? 0;
  process.stdout.write(`chaos: ${MESSAGES} messages, ${SESSIONS} sessions, ${sagasPart()}${kills} kills, ${lost + ghosts + sagaLost} lost, ${duplicated + sagaDuplicated} duplicated effects\n`);
  return ok ? 0 : 1;
}

/** The last line names the sagas when there are any (and reads as before without). */
const sagasPart = (): string => (SAGAS > 0 ? `${SAGAS} sagas, ` : '');

/** The run's queues and its event exchange, over one connection (a rabbitmqctl process per queue took a second or two each); on the cluster, through its first node. */
async function deleteFromBroker(queues: readonly string[], exchange: string): Promise<void> {
  const url = CLUSTER ? `${cfg.rabbitUrl.replace(/@[^/]*/, `@${CLUSTER_HOSTS[0]}`)}` : cfg.rabbitUrl;
  const connection = await amqp.connect(url).catch(() => null);
  if (!connection) return;
  const channel = await connection.createChannel();
  for (const name of queues) await channel.deleteQueue(name).catch(() => undefined);
  await channel.deleteExchange(exchange).catch(() => undefined);
  await connection.close().catch(() => undefined);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`chaos: ${String(error)}`);
    process.stdout.write(`chaos: ${MESSAGES} messages, ${SESSIONS} sessions, ${sagasPart()}${kills} kills, ? lost, ? duplicated effects\n`);
    process.exit(2);
  },
);
