import { DEFAULT_FLUSH_LEASE_MS } from '../../src/idempotence/flush-lease.js';
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { Container } from 'inversify';
import type Database from 'better-sqlite3';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import { addOncebus } from '../../src/di/add-oncebus.js';
import { TYPES } from '../../src/di/tokens.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { MemoryIdempotenceStore, type MemoryTransaction } from '../../src/idempotence/memory/index.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import type { TransportMessage } from '../../src/envelope/transport-message.js';
import type { ILogger } from '../../src/logging/logger.js';
import type { ITransactionalSession } from '../../src/sessions/transactional-session.js';
import { FailedMessageStore } from '../../src/operations/errors/failed-message-store.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { SqliteDatabase } from '../../src/stores/sqlite/sqlite-database.js';
import { MemorySubscriptionService } from '../../src/subscriptions/memory-subscription-service.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import type { IQueueFactory } from '../../src/transport/queue.js';
import { SimExchanges } from './sim-exchanges.js';
import { OrderAccepted, OrderPlaced, PlaceOrder, ShipOrder, SIM_MAX_MESSAGE_SIZE } from './sim-messages.js';
import { never, Seams } from './sim-seams.js';
import { type BrokenBatches, batchedQueue } from './sim-batched-queue.js';
import { instrumentPutBack, type PutBackCount } from './sim-group-commit.js';
import { type BrokenOperations, countingReturns, OPS_BUDGET, opsQueueWeight, runOperations } from './sim-operations.js';
import { type BrokenIdempotence, type ProcessHandles, simIdempotence, simQueueFactory } from './sim-wrappers.js';
import type { SimProcessRef, VirtualTime } from './virtual-time.js';

/** 'sqlite-gc': SQLite with group commit (one lane, batches of up to four members: CommitLane's real code). */
export type StoreKind = 'memory' | 'sqlite' | 'sqlite-gc';
/** A known-broken part the oracle must catch: the idempotence store's, the operations tools', a batched receiver's, the broker's bindings. */
export type Broken = BrokenIdempotence | BrokenOperations | BrokenBatches | 'bind-after-first-publish';
/** Where subscriptions live: the subscription list the bus asks (rows), or the broker's own exchanges (see SimExchanges). */
export type PubSub = 'rows' | 'exchanges';
const OPERATIONS_BREAKS: readonly Broken[] = ['ops-ack-first', 'ops-never-resumed', 'ops-no-return-lease'];
const BATCH_BREAKS: readonly Broken[] = ['batch-ack-on-take', 'batch-ready-ack-first'];
const idempotenceBreak = (broken?: Broken): BrokenIdempotence | undefined =>
  broken && !OPERATIONS_BREAKS.includes(broken) && !BATCH_BREAKS.includes(broken) && broken !== 'bind-after-first-publish' ? (broken as BrokenIdempotence) : undefined;
const batchBreak = (broken?: Broken): BrokenBatches | undefined => (broken && BATCH_BREAKS.includes(broken) ? (broken as BrokenBatches) : undefined);
const operationsBreak = (broken?: Broken): BrokenOperations | undefined => (broken && OPERATIONS_BREAKS.includes(broken) ? (broken as BrokenOperations) : undefined);
/** Endpoints whose receivers take their messages in batches (BatchedDeliveries, as postgres://…?batch=N). */
const BATCHED: readonly EndpointName[] = ['shipping', 'audit'];
const BATCH_SIZE = 4;
/** Operations processes (error ingestion and returns), competing like two operators' tools. */
const OPERATORS = 2;

/** The endpoints every worker process hosts (competing with the other workers), and who subscribes. */
export const WORKER_ENDPOINTS = ['orders', 'shipping', 'billing', 'audit'] as const;
export const SUBSCRIBERS = ['billing', 'audit'] as const;
/** The endpoints with an inbox, which a process hosts by name. */
type HostedEndpoint = Exclude<EndpointName, 'web'>;
const CLIENT: readonly HostedEndpoint[] = ['client'];
/** 'web': each worker process also hosts a send-only endpoint whose transactional sessions place orders. */
export type EndpointName = (typeof WORKER_ENDPOINTS)[number] | 'client' | 'web';

/** A failed message's record in the operations store, as the oracle reads it. */
export interface FailedRecord {
  readonly messageId: string;
  readonly sourceQueue: string;
  readonly status: string;
  /** How many times it reached the error queue (each duplicate copy that failed counts). */
  readonly timesFailed: number;
}

/** One committed effect: endpoint, the handled message's id, and the order it was about. */
export interface Effect {
  readonly endpoint: EndpointName;
  readonly messageId: string;
  readonly orderId: string;
}

interface SimProcess extends SimProcessRef {
  readonly kind: 'client' | 'worker' | 'operations';
  readonly handles: ProcessHandles;
  /** An operations process's connection to the operations store. */
  readonly ops: SqliteDatabase | null;
  readonly buses: IServiceBus[];
  readonly sqlite: SqliteStore | null;
  /** The worker's 'web' endpoint (transactional sessions), or null for the client. */
  web: IServiceBus | null;
}

/**
 * The shared world of a simulation run — one broker, one idempotence store (in memory, or one SQLite file
 * every process opens), one subscription list — and the processes on it: a client (never crashed) that
 * sends orders and receives replies, and worker processes that host every other endpoint and compete for
 * their messages. A crashed worker is frozen, its connections closed (unsettled deliveries go back, open
 * transactions roll back), and a new worker starts in its place a little later.
 */
export class SimWorld {
  readonly broker = new MemoryBroker();
  readonly subscriptions = new MemorySubscriptionService();
  readonly exchanges: SimExchanges;
  readonly memoryStore: MemoryIdempotenceStore;
  private readonly flushLeaseMs: number;
  readonly effects: Effect[] = [];
  /** Follow-ups put on a queue, by `${messageId} → ${recipient}` (a flush of a stored send). */
  readonly dispatches = new Map<string, number>();
  readonly trace: string[] = [];
  readonly seams: Seams;
  readonly processes: SimProcess[] = [];
  /** Failed messages the operator "fixed" before returning them: their handler stops throwing. */
  readonly repaired = new Set<string>();
  /** Returns the operations processes put on a source queue, by `${messageId} → ${queue}`. */
  readonly returns = new Map<string, number>();
  /** Error-queue copies ingested with failures not seen before, by messageId (each may be returned once). */
  readonly failuresIngested = new Map<string, number>();
  /** The operations store, read by the oracle (the processes open their own connections). */
  private opsStore: FailedMessageStore | null = null;
  /** Messages the batched receivers handed out by takeReady (without a promise): the test checks the runs took some. */
  readyHandOuts = 0;
  /** Units of work opened without I/O (group commit's members, as the inbox opens them in production). */
  openedWithoutIo = 0;
  /** Group commit's put-backs in this run (CommitLane.putBack, patched for the run; see instrumentPutBack). */
  readonly putBacks: PutBackCount = { batches: 0, members: 0 };
  private readonly restorePutBack: () => void;
  private nextId = 0;
  private client: SimProcess | null = null;

  constructor(
    readonly time: VirtualTime,
    readonly store: StoreKind,
    readonly file: string,
    rates: ConstructorParameters<typeof Seams>[1],
    private readonly tracing: boolean,
    private readonly broken?: Broken,
    private readonly pubsub: PubSub = 'rows',
  ) {
    this.exchanges = new SimExchanges(broken === 'bind-after-first-publish');
    this.seams = new Seams(time, rates, (process, site) => this.crash(process as SimProcess, site));
    this.flushLeaseMs = flushLeaseFor(idempotenceBreak(broken), rates.maxCrashes === 0 && rates.maxFaults === 0);
    this.memoryStore = new MemoryIdempotenceStore({ flushLeaseMs: this.flushLeaseMs });
    this.restorePutBack = instrumentPutBack(this.putBacks, broken === 'gc-putback-keeps-claim');
  }

  /** Starts the client, `workers` worker processes and the operations processes. */
  async start(workers: number): Promise<void> {
    this.client = await this.startProcess(CLIENT);
    this.opsStore = new FailedMessageStore(new SqliteDatabase({ file: this.opsFile }));
    await this.opsStore.ready();
    for (let i = 0; i < workers; i++) await this.startProcess(WORKER_ENDPOINTS);
    for (let i = 0; i < OPERATORS; i++) this.startOperations();
  }

  private get opsFile(): string {
    return this.file.replace(/[^/]*$/, 'ops.db');
  }

  /** Every failed-message record: what the operations processes ingested and did (read synchronously). */
  failedMessages(): FailedRecord[] {
    const db = (this.opsStore!.database as SqliteDatabase).native;
    return db.prepare('SELECT message_id AS messageId, source_queue AS sourceQueue, status, times_failed AS timesFailed FROM oncebus_ops_failed_messages').all() as FailedRecord[];
  }

  /** Failed messages not yet dealt with: ingested and not returned, or a return stored and not finished. */
  operationsOwed(): number {
    return this.failedMessages().filter((r) => r.status === 'unresolved' || r.status === 'returning').length;
  }

  get clientBus(): IServiceBus {
    return this.client!.buses[0]!;
  }

  get clientProcess(): SimProcessRef {
    return this.client!;
  }

  /** Effects a store recorded (SQLite keeps them in its file, in the handlers' transactions). */
  committedEffects(): Effect[] {
    if (this.store === 'memory') return this.effects;
    const db = this.client!.sqlite!.database.native;
    return db.prepare('SELECT endpoint, message_id AS messageId, order_id AS orderId FROM sim_effects').all() as Effect[];
  }

  /** What the store still holds that it should not once everything settled. */
  storeProblems(): string[] {
    const problems: string[] = [];
    if (this.store === 'memory') {
      if (this.memoryStore.heldClaims > 0) problems.push(`${this.memoryStore.heldClaims} claim(s) still held by open units of work`);
      for (const [key, row] of this.memoryStore.rows) {
        if (row.status !== 'completed') problems.push(`row ${key.replace('\u0000', ' ')} left '${row.status}' (sends owed)`);
        if (row.deferred.length > 0) problems.push(`row ${key.replace('\u0000', ' ')}: ${row.deferred.length} stored send(s) never settled`);
      }
      return problems;
    }
    const db = this.client!.sqlite!.database.native;
    const open = db.prepare("SELECT inbox_uri, message_id, status FROM oncebus_idempotence WHERE status <> 'completed'").all() as { inbox_uri: string; message_id: string; status: string }[];
    for (const r of open) problems.push(`row ${r.inbox_uri} ${r.message_id} left '${r.status}'`);
    const stored = (db.prepare('SELECT count(*) AS n FROM oncebus_idempotence_deferred').get() as { n: number }).n;
    if (stored > 0) problems.push(`${stored} stored send(s) never settled`);
    for (const p of this.processes) {
      if (p.alive && p.sqlite?.database.native.inTransaction) problems.push(`process ${p.id} left a transaction open`);
    }
    return problems;
  }

  log(line: string): void {
    if (this.tracing) this.trace.push(`${String(this.time.time % 1_000_000).padStart(6)} ${line}`);
  }

  /** Closes every connection of every process (the run is over). */
  close(): void {
    this.restorePutBack();
    for (const p of this.processes) p.alive = false;
    for (const p of this.processes) closeSqlite(p.sqlite?.database ?? p.ops);
    if (this.opsStore) closeSqlite(this.opsStore.database as SqliteDatabase);
    rmSync(this.file.replace(/\/[^/]*$/, ''), { recursive: true, force: true });
  }

  private crash(process: SimProcess, site: string): void {
    process.alive = false;
    this.log(`crash of process ${process.id} at ${site}`);
    // What the broker and the database do when a process's connections drop.
    for (const q of process.handles.queues) void q.close();
    if (process.sqlite || process.ops) closeSqlite(process.sqlite?.database ?? process.ops);
    else for (const rollback of process.handles.rollbacks) void rollback().catch(() => undefined);
    const restartIn = 50 + Math.floor(this.time.random() * 500);
    this.time.process.exit(() => {
      void this.time.sleep(restartIn).then(async () => {
        if (process.kind === 'operations') this.startOperations();
        else await this.startProcess(WORKER_ENDPOINTS);
      });
    });
  }

  private async startProcess(endpoints: readonly HostedEndpoint[]): Promise<SimProcess> {
    const sqlite = this.store === 'memory' ? null : new SqliteStore({ file: this.file, synchronous: 'NORMAL', busyTimeoutMs: 600_000 });
    // The broken variant 'gc-no-savepoint': a failed member's writes are kept (released, not rolled back).
    if (sqlite?.store.dialect.groupCommit && this.broken === 'gc-no-savepoint') {
      Object.assign(sqlite.store.dialect.groupCommit, { rollbackToSavepoint: (name: string) => `RELEASE SAVEPOINT ${name}` });
    }
    const kind = endpoints === CLIENT ? 'client' : 'worker';
    const process: SimProcess = { id: this.nextId++, kind, alive: true, handles: { queues: [], rollbacks: [], openedWithoutIo: () => this.openedWithoutIo++ }, ops: null, buses: [], sqlite, web: null };
    this.processes.push(process);
    this.log(`start of process ${process.id} (${endpoints.join(', ')})`);
    await this.time.process.run(process, async () => {
      if (sqlite && process.id === 0) {
        await sqlite.store.ready();
        sqlite.database.native.exec('CREATE TABLE IF NOT EXISTS sim_effects (endpoint TEXT, message_id TEXT, order_id TEXT)');
      }
      for (const name of endpoints) process.buses.push(this.endpoint(process, name));
      if (endpoints !== CLIENT) {
        process.web = this.webEndpoint(process);
        process.buses.push(process.web);
      }
      for (const bus of process.buses) await bus.start();
    });
    return process;
  }

  /** Starts an operations process: it ingests, repairs and returns failed messages until it crashes. */
  private startOperations(): void {
    const ops = new SqliteDatabase({ file: this.opsFile, busyTimeoutMs: 600_000 });
    const process: SimProcess = { id: this.nextId++, kind: 'operations', alive: true, handles: { queues: [], rollbacks: [] }, ops, buses: [], sqlite: null, web: null };
    this.processes.push(process);
    this.log(`start of process ${process.id} (operations)`);
    const queues = countingReturns(simQueueFactory(this.broker, process, this.seams, process.handles, opsQueueWeight, OPS_BUDGET), this.returns, (line) => this.log(`p${process.id} ${line}`));
    void this.time.process.run(process, () => runOperations(this, process, ops, queues, operationsBreak(this.broken)));
  }

  private endpoint(process: SimProcess, name: HostedEndpoint): IServiceBus {
    const world = this;
    const seams = this.seams;
    const effect = (ctx: IHandlerContext<{ orderId: string }, unknown>) =>
      world.recordEffect(process, ctx.transaction, { endpoint: name, messageId: ctx.transportMessage.messageId, orderId: ctx.message.orderId });

    @handlesMessage(PlaceOrder)
    class PlaceOrderHandler implements IMessageHandler<PlaceOrder> {
      async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
        const { behaviour } = ctx.message;
        const attempt = ctx.transportMessage.failureMessages.length;
        world.log(`p${process.id} orders handles ${ctx.message.orderId} ${ctx.transportMessage.messageId} attempt ${attempt}`);
        await seams.step(process, 'handler');
        if (behaviour.hangs && attempt === 0) await new Promise(() => undefined); // ignores its signal
        if (behaviour.slowMs > 0) await world.time.sleep(behaviour.slowMs);
        const poisoned = behaviour.poison && !world.repaired.has(ctx.transportMessage.messageId);
        if (poisoned || attempt < behaviour.failures) throw new Error(`order ${ctx.message.orderId} fails (attempt ${attempt + 1})`);
        effect(ctx);
        await ctx.send(new ShipOrder(ctx.message.orderId));
        await seams.step(process, 'handler:sent');
        await ctx.publish(new OrderPlaced(ctx.message.orderId));
        // An order placed through a web session has nobody to reply to (a send-only endpoint sent it).
        if (ctx.transportMessage.senderInboxWorkQueueUri) await ctx.reply(new OrderAccepted(ctx.message.orderId));
      }
    }
    @handlesMessage(ShipOrder)
    class ShipOrderHandler implements IMessageHandler<ShipOrder> {
      async handle(ctx: IHandlerContext<ShipOrder>): Promise<void> {
        await seams.step(process, 'handler');
        effect(ctx);
      }
    }
    @handlesMessage(OrderPlaced)
    class OrderPlacedHandler implements IMessageHandler<OrderPlaced> {
      async handle(ctx: IHandlerContext<OrderPlaced>): Promise<void> {
        await seams.step(process, 'handler');
        effect(ctx);
      }
    }
    @handlesMessage(OrderAccepted)
    class OrderAcceptedHandler implements IMessageHandler<OrderAccepted> {
      handle(ctx: IHandlerContext<OrderAccepted>): void {
        effect(ctx);
      }
    }
    const handlers = { orders: PlaceOrderHandler, shipping: ShipOrderHandler, billing: OrderPlacedHandler, audit: OrderPlacedHandler, client: OrderAcceptedHandler };

    const container = new Container();
    const queues = simQueueFactory(this.broker, process, seams, process.handles);
    const batched = { batchSize: BATCH_SIZE, broken: batchBreak(this.broken), readyHandedOut: () => this.readyHandOuts++ };
    const create = (uri: string) => (BATCHED.includes(name) && uri === `memory://${name}` ? batchedQueue(queues.create(uri), this.broker, batched) : queues.create(uri));
    container.bind(TYPES.QueueFactory).toConstantValue(this.withPubSub({ scheme: queues.scheme, create }));
    const store = this.idempotenceStore(process);
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(simIdempotence(store, process, seams, process.handles, idempotenceBreak(this.broken)));
    if (this.pubsub === 'rows') container.bind(TYPES.SubscriptionService).toConstantValue(this.subscriptions);
    container.bind(TYPES.Logger).toConstantValue(this.logger(process, name));
    const options: EndpointOptions = {
      name,
      handlers: [handlers[name]],
      idempotence: true,
      subscriptions: (SUBSCRIBERS as readonly string[]).includes(name) ? [OrderPlaced] : [],
      routes: [{ uri: 'memory://shipping', specifications: [{ types: [ShipOrder] }] }, { uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }],
      handlerTimeout: '2s',
      stopTimeout: '1s',
      maxMessageSize: SIM_MAX_MESSAGE_SIZE,
      ...(name === 'client' ? { compression: 'gzip' } : {}),
      inbox: {
        workQueueUri: `memory://${name}`,
        errorQueueUri: `memory://${name}-error`,
        deferredQueueUri: `memory://${name}-deferred`,
        // More loops under group commit, so its batches hold several members (one lane).
        threadCount: this.store === 'sqlite-gc' ? 4 : 2,
        maximumFailureCount: 3,
        durationToIgnoreOnFailure: ['50ms', '200ms'],
        durationToSleepWhenIdle: ['5ms', '20ms', '50ms'],
      },
    };
    addOncebus(container, options);
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    bus.events.on('messageDispatched', (tm) => {
      if (tm.messageType !== 'sim.PlaceOrder') this.countDispatch(process, name, tm);
    });
    return bus;
  }

  /** A live worker process, picked by the seed (none while every worker is down). */
  liveWorker(): SimProcess | null {
    const live = this.processes.filter((p) => p.alive && p.web !== null);
    return live.length === 0 ? null : live[Math.floor(this.time.random() * live.length)]!;
  }

  /**
   * Places an order through a transactional session of `process`'s 'web' endpoint: the 'web' effect (the
   * order's row) and PlaceOrder in one transaction, with seams between, rolled back when `rollsBack`. Not
   * awaited by the feed: a crash of the process freezes it wherever it was.
   */
  placeThroughSession(process: SimProcess, order: { orderId: string; behaviour: PlaceOrder['behaviour']; rollsBack: boolean }): void {
    const web = process.web!;
    void this.time.process.run(process, async () => {
      await web
        .withTransaction(async (session: ITransactionalSession<MemoryTransaction | Database.Database>) => {
          this.recordEffect(process, session.transaction, { endpoint: 'web', messageId: session.id, orderId: order.orderId });
          await this.seams.step(process, 'session');
          await session.send(new PlaceOrder(order.orderId, order.behaviour), { messageId: sessionOrderId(order.orderId) });
          await this.seams.step(process, 'session:sent');
          if (order.rollsBack) throw new Error(`session of ${order.orderId} rolls back`);
        })
        .then(
          () => this.log(`p${process.id} web committed ${order.orderId}`),
          (e: unknown) => this.log(`p${process.id} web session of ${order.orderId} failed: ${String(e)}`),
        );
    });
  }

  /** The process's idempotence store: its SQLite file's (with group commit for 'sqlite-gc'), or the shared memory one. */
  /** With 'exchanges', the factory offers the broker's pub/sub (the bus uses it: no subscription service is bound). */
  private withPubSub(factory: IQueueFactory): IQueueFactory {
    if (this.pubsub === 'rows') return factory;
    const exchanges = this.exchanges;
    return {
      scheme: factory.scheme,
      create: (uri: string) => (exchanges.isExchange(uri) ? exchanges.exchange(uri, (inbox) => factory.create(inbox)) : factory.create(uri)),
      subscriptions: () => exchanges.service,
    };
  }

  private idempotenceStore(process: SimProcess): IIdempotenceServiceFactory {
    if (!process.sqlite) return this.memoryStore;
    return process.sqlite.idempotence({ flushLeaseMs: this.flushLeaseMs, ...(this.store === 'sqlite-gc' ? { groupCommit: { lanes: 1, maxBatchSize: 4 } } : {}) });
  }

  /** One effect in the transaction: a row in SQLite's, or applied on the memory transaction's commit. */
  private recordEffect(process: SimProcess, transaction: unknown, e: Effect): void {
    if (process.sqlite) {
      (transaction as Database.Database).prepare('INSERT INTO sim_effects (endpoint, message_id, order_id) VALUES (?, ?, ?)').run(e.endpoint, e.messageId, e.orderId);
    } else (transaction as MemoryTransaction).onCommit(() => this.effects.push(e));
  }

  private webEndpoint(process: SimProcess): IServiceBus {
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(this.withPubSub(simQueueFactory(this.broker, process, this.seams, process.handles)));
    const store = this.idempotenceStore(process);
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(simIdempotence(store, process, this.seams, process.handles, idempotenceBreak(this.broken)));
    if (this.pubsub === 'rows') container.bind(TYPES.SubscriptionService).toConstantValue(this.subscriptions);
    container.bind(TYPES.Logger).toConstantValue(this.logger(process, 'web'));
    addOncebus(container, { name: 'web', routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }], sessionSweepInterval: '100ms', stopTimeout: '1s' });
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    // A session's PlaceOrder counts like a stored send: in a calm run it goes out once.
    bus.events.on('messageDispatched', (tm) => this.countDispatch(process, 'web', tm));
    bus.events.on('sessionDispatched', (id, by) => this.log(`p${process.id} web session ${id} dispatched by the ${by}`));
    return bus;
  }

  private countDispatch(process: SimProcessRef, endpoint: EndpointName, tm: TransportMessage): void {
    const key = `${tm.messageId} → ${tm.recipientInboxWorkQueueUri}`;
    this.dispatches.set(key, (this.dispatches.get(key) ?? 0) + 1);
    this.log(`p${process.id} ${endpoint} dispatched ${tm.messageType} ${key}`);
  }

  private logger(process: SimProcessRef, endpoint: string): ILogger {
    const line = (level: string) => (message: string, meta?: Record<string, unknown>) => this.log(`p${process.id} ${endpoint} ${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
    return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error'), isDebugEnabled: () => false };
  }
}

/**
 * The flush lease. In a calm run, longer than any stall, so that there a second dispatch of a stored send
 * is a bug, not a lease that ran out. (Hung handlers, each holding SQLite's write lock until its 2 s
 * timeout, starve the other process's writes for 10 s and more: a copy flushing there outlives a 5 s
 * lease, and a waiting copy rightly takes over and sends again.) With crashes, the default: a copy that
 * crashed mid-flush holds the others up that long. 'no-flush-lease' makes it 1 ms.
 */
function flushLeaseFor(broken: BrokenIdempotence | undefined, calm: boolean): number {
  if (broken === 'no-flush-lease') return 1;
  return calm ? 60_000 : DEFAULT_FLUSH_LEASE_MS;
}

/** Drops a process's SQLite connections: SQLite rolls back what they had open. */
function closeSqlite(database: SqliteDatabase | null): void {
  if (!database) return;
  const db = database as unknown as { native: Database.Database; reader: Database.Database };
  for (const connection of [db.native, db.reader]) {
    try {
      if (connection.open) connection.close();
    } catch {
      // already gone
    }
  }
}

/** The messageId a session gives its order's PlaceOrder (so the oracle can find it in the error queue). */
export const sessionOrderId = (orderId: string): string => `session-${orderId}`;

export { never };
