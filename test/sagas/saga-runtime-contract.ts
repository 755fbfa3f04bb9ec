import 'reflect-metadata';
import { expect } from 'chai';
import { Container } from 'inversify';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import { addOncebus } from '../../src/di/add-oncebus.js';
import { TYPES } from '../../src/di/tokens.js';
import type { TransportMessage } from '../../src/envelope/transport-message.js';
import { deserializeTransportMessage, serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { ConfigurationError, SagaConcurrencyError } from '../../src/errors/errors.js';
import type { HandlerClass } from '../../src/handling/handles-message.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import type { IUnitOfWork } from '../../src/idempotence/unit-of-work.js';
import type { IOncebusModule } from '../../src/modules/oncebus-module.js';
import { defineSaga } from '../../src/sagas/define-saga.js';
import { SAGA_ID_HEADER, SAGA_TYPE_HEADER } from '../../src/sagas/saga-headers.js';
import { SagaModule } from '../../src/sagas/saga-module.js';
import type { ISagaPersister, StoredSaga } from '../../src/sagas/saga-persister.js';
import { JsonSerializer } from '../../src/serialization/json-serializer.js';
import { MemorySubscriptionService } from '../../src/subscriptions/memory-subscription-service.js';
import { isCreateQueue, type IQueue, type IQueueFactory } from '../../src/transport/queue.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import { requireService } from '../support/integration.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { observed, orderSaga } from './order-saga.js';
import { CancelOrder, Increment, OrderPlaced, PaymentDue, PaymentReceived, ShipOrder, StockReserved } from './saga-messages.js';
import { RecordingLogger } from './saga-world.js';

/**
 * The saga runtime's behaviour through real endpoints, written once and run on every store that keeps
 * sagas (memory, SQLite, PostgreSQL; with and without group commit; on memory queues and on the store's
 * own SQL queues). What a subject gives: endpoints' idempotence and queues, and its committed saga rows.
 */
export interface SagaRuntimeSubject {
  /** Skip (reported as pending) when the server does not answer. */
  available?(): Promise<boolean>;
  /** A fresh store (its own SQLite file or PostgreSQL schema) for one describe block. */
  open(): Promise<SagaRuntimeStore>;
}

export interface SagaRuntimeStore {
  /**
   * The idempotence store of one endpoint. Each call is a store object of its own over the same database,
   * as another process would have: two buses racing on one instance meet only in the database.
   */
  idempotence(): IIdempotenceServiceFactory;
  /** The store's SQL queues for inboxes (and their error and deferred queues); memory queues when absent. */
  readonly queues?: IQueueFactory;
  /** A queue URI for `name` on `queues`. */
  queueUri?(name: string): string;
  /** The persister the runtime picks for this store (to wrap it in a test of a lost insert). */
  persister(): ISagaPersister;
  /** The committed saga rows of one saga type, read outside every unit of work (memorySagaRows, or the sagas table). */
  rows(sagaType: string): Promise<StoredSaga[]>;
  /** Writes a row of the handler's own in the unit of work's transaction (`ctx.transaction`). */
  writeOwnRow(transaction: unknown, key: string): Promise<void>;
  /** Whether that row committed. */
  ownRowExists(key: string): Promise<boolean>;
  close(): Promise<void>;
}

const serializer = new JsonSerializer();
const stateOf = (row: StoredSaga | undefined) => serializer.deserialize(row!.state) as { data: Record<string, unknown>; timeouts: Record<string, string> };
const dataOf = <T>(row: StoredSaga | undefined): T => stateOf(row).data as T;

class Counter {
  count = 0;
}

class Reminder {
  fired = 0;
}

/** The store of the describe block running now: the counter saga's handler writes its own row there. */
let current: SagaRuntimeStore | null = null;

/**
 * Reads, yields (so a concurrent message could interleave), then writes: a lost update would show.
 * n = 1000 also writes a row of its own in ctx.transaction; n < 0 writes it and then fails.
 */
const counterSaga = defineSaga('Counter', Counter)
  .startedBy(Increment, (m) => m.key, async (ctx) => {
    const before = ctx.saga.data.count;
    await new Promise((r) => setTimeout(r, 1));
    ctx.saga.data.count = before + 1;
    if (ctx.message.n === 1000 || ctx.message.n < 0) await current!.writeOwnRow(ctx.transaction, `${ctx.message.key}:${ctx.message.n}`);
    if (ctx.message.n < 0) throw new Error('the handler failed after changing the data and writing its row');
  })
  .build();

/** Re-requests its timeout on PaymentReceived (replacing the first) and cancels it on StockReserved. */
const reminderSaga = defineSaga('Reminder', Reminder)
  .startedBy(OrderPlaced, (m) => m.orderId, async (ctx) => {
    await ctx.saga.requestTimeout(new PaymentDue(ctx.message.orderId), { after: ctx.message.amount });
  })
  .handles(PaymentReceived, (m) => m.orderId, async (ctx) => {
    await ctx.saga.requestTimeout(new PaymentDue(ctx.message.orderId), { at: new Date(Date.now() + 30) });
  })
  .handles(StockReserved, (m) => m.orderId, (ctx) => {
    ctx.saga.cancelTimeout('sagatest.PaymentDue');
  })
  .timeout(PaymentDue, (ctx) => {
    ctx.saga.data.fired++;
  })
  .build();

class Slow {
  started = false;
  paid = false;
}

/** A starter that takes `amount` ms before its unit of work commits: a message for its instance arrives meanwhile. */
const slowStartSaga = defineSaga('SlowStart', Slow)
  .startedBy(OrderPlaced, (m) => m.orderId, async (ctx) => {
    await new Promise((r) => setTimeout(r, ctx.message.amount));
    ctx.saga.data.started = true;
  })
  .handles(PaymentReceived, (m) => m.orderId, (ctx) => {
    ctx.saga.data.paid = true;
  })
  .build();

/** Endpoints on one store: inboxes on its queues (or memory ones), outgoing ShipOrder/CancelOrder to memory queues read back here. */
class RuntimeWorld {
  readonly broker = new MemoryBroker();
  readonly subscriptions = new MemorySubscriptionService();
  readonly logger = new RecordingLogger();
  private readonly buses: IServiceBus[] = [];

  constructor(readonly store: SagaRuntimeStore) {}

  uri(name: string): string {
    return this.store.queues && this.store.queueUri ? this.store.queueUri(name) : `memory://${name}`;
  }

  /** An endpoint whose inbox is `name` (two endpoints of one name compete on one inbox, as two processes would). */
  endpoint(name: string, handlers: readonly HandlerClass[], options: Partial<EndpointOptions> = {}, modules: IOncebusModule[] = [new SagaModule()]): IServiceBus {
    const c = new Container();
    c.bind(TYPES.QueueFactory).toConstantValue(this.broker);
    if (this.store.queues) c.bind(TYPES.QueueFactory).toConstantValue(this.store.queues);
    c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(this.store.idempotence());
    c.bind(TYPES.SubscriptionService).toConstantValue(this.subscriptions);
    c.bind(TYPES.Logger).toConstantValue(this.logger);
    for (const m of modules) c.bind(TYPES.Module).toConstantValue(m);
    addOncebus(c, {
      stopTimeout: '2s',
      idempotence: true,
      handlers: [...handlers],
      routes: [{ uri: `memory://${name}-out`, specifications: [{ types: [ShipOrder, CancelOrder] }] }],
      ...options,
      inbox: {
        workQueueUri: this.uri(name),
        errorQueueUri: this.uri(`${name}-error`),
        deferredQueueUri: this.uri(`${name}-deferred`),
        threadCount: 2,
        maximumFailureCount: 3,
        durationToIgnoreOnFailure: ['0ms'],
        durationToSleepWhenIdle: ['5ms', '20ms'],
        ...options.inbox,
      } as EndpointOptions['inbox'],
    });
    const bus = c.get<IServiceBus>(TYPES.ServiceBus);
    this.buses.push(bus);
    return bus;
  }

  /** The inbox queue of endpoint `name`, to put a copy of a message into by hand. */
  endpointQueue(name: string): IQueue {
    const uri = this.uri(name);
    return (this.store.queues && this.store.queueUri ? this.store.queues : this.broker).create(uri);
  }

  /** Creates endpoint `name`'s inbox before its bus starts, so messages can wait there to be taken at once. */
  async createInbox(name: string): Promise<void> {
    const queue = this.endpointQueue(name);
    if (isCreateQueue(queue)) await queue.create();
  }

  /** Messages waiting in one of the memory out queues. */
  out(name: string): TransportMessage[] {
    return this.broker.stateOf(`memory://${name}-out`).ready.toArray().map((e) => deserializeTransportMessage(e.body));
  }

  /** Counts the messages `bus` moves to its error queue from now on. */
  errors(bus: IServiceBus): string[] {
    const reasons: string[] = [];
    bus.events.on('messageSentToErrorQueue', (_tm, reason) => reasons.push(reason));
    return reasons;
  }

  dropped(why: string) {
    return this.logger.lines.filter((l) => l.level === 'debug' && l.message === `saga timeout dropped: ${why}`);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.buses.splice(0).map((b) => b.stop()));
  }
}

/** Sends each message to `bus`'s own inbox once the one before was handled. */
async function handledOneByOne(bus: IServiceBus, ...messages: object[]): Promise<void> {
  for (const message of messages) {
    const handled = waitForEvents(bus.events, 'messageHandled');
    await bus.send(message, { local: true });
    await handled;
  }
}

export function describeSagaRuntimeContract(name: string, subject: SagaRuntimeSubject): void {
  describe(`saga runtime on ${name}`, function () {
    this.timeout(60_000);
    let store: SagaRuntimeStore;
    let world: RuntimeWorld;

    before(async function () {
      if (subject.available) requireService(this, name, await subject.available());
      store = await subject.open();
    });
    beforeEach(() => {
      current = store;
      world = new RuntimeWorld(store);
    });
    afterEach(() => world?.stopAll());
    after(() => store?.close());

    const rows = (sagaType: string) => store.rows(sagaType);
    const one = async (sagaType: string, correlationId: string) => (await rows(sagaType)).find((r) => r.correlationId === correlationId);

    describe('start, advance, complete', () => {
      it('starts an instance, saves each step with a new version, and removes its row when it completes', async () => {
        const bus = world.endpoint('saga-life', orderSaga('LifeOrder').handlers);
        await bus.start();

        const placed = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new OrderPlaced('o-1', 3), { local: true });
        await placed;
        const [started, ...others] = await rows('LifeOrder');
        expect(others).to.deep.equal([]);
        expect(started?.correlationId).to.equal('o-1');
        expect(started?.version).to.equal(1);
        expect(started?.completedAt).to.equal(null);
        expect(stateOf(started).data.orderId).to.equal('o-1');
        expect(Object.keys(stateOf(started).timeouts)).to.deep.equal(['sagatest.PaymentDue']);

        const paid = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new PaymentReceived('o-1'), { local: true });
        await paid;
        const [advanced] = await rows('LifeOrder');
        expect(advanced?.version).to.equal(2);
        expect(advanced?.instanceId).to.equal(started?.instanceId);
        expect(advanced?.createdAt).to.equal(started?.createdAt);
        expect(stateOf(advanced).data.paid).to.equal(true);
        // Restored from the store onto a new Order: its method works and Date, bigint and Map came back as themselves.
        expect(observed.at(-1)).to.deep.equal({ describe: 'o-1: 300000000000000000000 since 2026-12-07T10:00:00.000Z', date: true, bigint: true, map: true });

        const reserved = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new StockReserved('o-1'), { local: true });
        await reserved;
        await eventually(() => world.out('saga-life').length === 1, 'ShipOrder is flushed');
        expect(await rows('LifeOrder')).to.deep.equal([]);
        const [ship] = world.out('saga-life');
        expect(ship?.messageType).to.equal('sagatest.ShipOrder');
        expect(ship?.headers[SAGA_TYPE_HEADER]).to.equal('LifeOrder');
        expect(ship?.headers[SAGA_ID_HEADER]).to.equal(started?.instanceId);
      });

      it('keepCompletedFor keeps a completed instance, which answers nothing, and purges it once older', async () => {
        const bus = world.endpoint('saga-kept', orderSaga('KeptOrder', { keep: '500ms' }).handlers);
        await bus.start();
        const handled = (n: number) => waitForEvents(bus.events, 'messageHandled', n);

        // One at a time: concurrent receive loops do not keep the order of messages sent back to back.
        await handledOneByOne(bus, new OrderPlaced('k-1', 1), new PaymentReceived('k-1'), new StockReserved('k-1'));
        const [kept] = await rows('KeptOrder');
        expect(kept?.completedAt).to.be.a('number');

        let done = handled(1);
        await bus.send(new PaymentReceived('k-1'), { local: true });
        await done;
        expect(await rows('KeptOrder')).to.deep.equal([kept]);
        expect(world.logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('no saga instance') && l.meta?.correlationId === 'k-1')).to.equal(true);

        await new Promise((r) => setTimeout(r, 550));
        done = handled(1);
        await bus.send(new OrderPlaced('k-1', 2), { local: true });
        await done;
        const [again, ...more] = await rows('KeptOrder');
        expect(more).to.deep.equal([]);
        expect(again?.instanceId).to.not.equal(kept?.instanceId);
        expect(again?.completedAt).to.equal(null);
        expect(again?.version).to.equal(1);
      });
    });

    describe('a message no instance answers', () => {
      it("by default is acknowledged with a warn line ('ignore')", async () => {
        const bus = world.endpoint('saga-nf-ignore', orderSaga('IgnoreOrder').handlers);
        const errors = world.errors(bus);
        await bus.start();
        const handled = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new PaymentReceived('nobody'), { local: true });
        await handled;
        expect(await rows('IgnoreOrder')).to.deep.equal([]);
        expect(errors).to.deep.equal([]);
        const line = world.logger.lines.find((l) => l.level === 'warn' && l.meta?.saga === 'IgnoreOrder');
        expect(line?.meta).to.include({ correlationId: 'nobody', messageType: 'sagatest.PaymentReceived' });
      });

      it("'retry' retries it, then moves it to the error queue", async () => {
        const bus = world.endpoint('saga-nf-retry', orderSaga('RetryOrder', { notFound: 'retry' }).handlers);
        await bus.start();
        const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
        await bus.send(new PaymentReceived('early'), { local: true });
        const [[copy]] = await moved;
        expect(copy.failureMessages).to.have.length(3);
        expect(copy.failureMessages[0]).to.contain('ONCEBUS_SAGA_NOT_FOUND');
        expect(await rows('RetryOrder')).to.deep.equal([]);
      });

      it("'poison' moves it to the error queue at once", async () => {
        const bus = world.endpoint('saga-nf-poison', orderSaga('PoisonOrder', { notFound: 'poison' }).handlers);
        await bus.start();
        const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
        await bus.send(new PaymentReceived('stray'), { local: true });
        const [[copy]] = await moved;
        expect(copy.failureMessages).to.have.length(1);
        expect(copy.failureMessages[0]).to.contain('ONCEBUS_SAGA_NOT_FOUND');
      });
    });

    describe('timeouts', () => {
      it('fires when due, once, and runs the timeout handler on its instance', async () => {
        const bus = world.endpoint('saga-to-fire', orderSaga('FireOrder', { timeoutAfter: 30 }).handlers);
        await bus.start();
        const handled = waitForEvents(bus.events, 'messageHandled', 2);
        await bus.send(new OrderPlaced('t-1', 1), { local: true });
        const events = await handled;
        expect(events.map(([tm]) => tm.messageType)).to.deep.equal(['sagatest.OrderPlaced', 'sagatest.PaymentDue']);
        await eventually(() => world.out('saga-to-fire').length === 1, 'CancelOrder is flushed');
        await new Promise((r) => setTimeout(r, 100));
        expect(world.out('saga-to-fire').map((m) => m.messageType)).to.deep.equal(['sagatest.CancelOrder']);
        expect(await rows('FireOrder')).to.deep.equal([]);
      });

      it('is dropped when its instance completed before it was due', async () => {
        const bus = world.endpoint('saga-to-done', orderSaga('DoneOrder', { timeoutAfter: 500 }).handlers);
        await bus.start();
        const timeout = waitForEvents(bus.events, 'messageHandled', 1, (tm) => tm.messageType === 'sagatest.PaymentDue');
        await handledOneByOne(bus, new OrderPlaced('t-2', 1), new PaymentReceived('t-2'), new StockReserved('t-2'));
        expect(await rows('DoneOrder'), 'completed before the timeout was due').to.deep.equal([]);
        await timeout;
        await eventually(() => world.out('saga-to-done').length === 1, 'ShipOrder is flushed');
        expect(world.out('saga-to-done').map((m) => m.messageType)).to.deep.equal(['sagatest.ShipOrder']);
        expect(world.dropped('its instance is gone').some((l) => l.meta?.saga === 'DoneOrder')).to.equal(true);
      });

      it('runs only the latest request under a name: the superseded one is dropped', async () => {
        const bus = world.endpoint('saga-to-super', reminderSaga.handlers);
        await bus.start();
        const started = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new OrderPlaced('t-3', 400), { local: true });
        await started;
        // Both timeouts delivered: the replacement (30 ms) first, then the superseded one (400 ms).
        const delivered = waitForEvents(bus.events, 'messageHandled', 3);
        await bus.send(new PaymentReceived('t-3'), { local: true });
        await delivered;
        const row = await one('Reminder', 't-3');
        expect(dataOf<Reminder>(row).fired).to.equal(1);
        expect(stateOf(row).timeouts).to.deep.equal({});
        expect(world.dropped('superseded, cancelled or already run').filter((l) => l.meta?.instanceId === row?.instanceId)).to.have.length(1);
      });

      it('cancelTimeout: the cancelled timeout is dropped when delivered', async () => {
        const bus = world.endpoint('saga-to-cancel', reminderSaga.handlers);
        await bus.start();
        const timeout = waitForEvents(bus.events, 'messageHandled', 1, (tm) => tm.messageType === 'sagatest.PaymentDue');
        await handledOneByOne(bus, new OrderPlaced('t-4', 300), new StockReserved('t-4'));
        expect(Object.keys(stateOf(await one('Reminder', 't-4')).timeouts), 'cancelled before it was due').to.deep.equal([]);
        await timeout;
        const row = await one('Reminder', 't-4');
        expect(dataOf<Reminder>(row).fired).to.equal(0);
        expect(world.dropped('superseded, cancelled or already run').filter((l) => l.meta?.instanceId === row?.instanceId)).to.have.length(1);
      });
    });

    describe('concurrency', () => {
      it('racing starting messages on two buses over one store converge on one instance', async () => {
        const handlers = orderSaga('RaceOrder').handlers;
        const buses = [world.endpoint('saga-race', handlers, { inbox: { threadCount: 4 } as never }), world.endpoint('saga-race', handlers, { inbox: { threadCount: 4 } as never })];
        const handled = new Promise<void>((resolve) => {
          let n = 0;
          for (const b of buses) b.events.on('messageHandled', () => ++n === 10 && resolve());
        });
        // All ten wait in the shared inbox before either bus starts, so both take them at once.
        const sender = world.endpoint('saga-race-sender', [], { idempotence: false });
        await sender.start();
        await world.createInbox('saga-race');
        await Promise.all(Array.from({ length: 10 }, () => sender.send(new OrderPlaced('r-1', 1), { recipient: world.uri('saga-race') })));
        await Promise.all(buses.map((b) => b.start()));
        await handled;
        const all = await rows('RaceOrder');
        expect(all).to.have.length(1);
        expect(dataOf<{ starts: number; created: number }>(all[0])).to.include({ starts: 10, created: 1 });
        expect(all[0]?.version).to.equal(10);
      });

      it('a message for an instance whose start has not committed yet waits for it instead of finding none', async () => {
        const bus = world.endpoint('saga-slow-start', slowStartSaga.handlers, { inbox: { threadCount: 2 } as never });
        await bus.start();
        const handled = waitForEvents(bus.events, 'messageHandled', 2);
        await bus.send(new OrderPlaced('s-1', 400), { local: true });
        // Taken by the second receive loop while the starter is still in its handler.
        await new Promise((r) => setTimeout(r, 150));
        await bus.send(new PaymentReceived('s-1'), { local: true });
        await handled;
        const row = await one('SlowStart', 's-1');
        expect(dataOf<Slow>(row)).to.deep.equal({ started: true, paid: true });
        expect(row?.version).to.equal(2);
        expect(world.logger.lines.filter((l) => l.level === 'warn' && l.meta?.saga === 'SlowStart')).to.deep.equal([]);
      });

      it('50 concurrent messages to one instance lose no update', async () => {
        const bus = world.endpoint('saga-count', counterSaga.handlers, { inbox: { threadCount: 8, maximumFailureCount: 1 } as never });
        const errors = world.errors(bus);
        const handled = waitForEvents(bus.events, 'messageHandled', 50, () => true, 30_000);
        const sender = world.endpoint('saga-count-sender', [], { idempotence: false });
        await sender.start();
        await world.createInbox('saga-count');
        await Promise.all(Array.from({ length: 50 }, (_, i) => sender.send(new Increment('c-1', i), { recipient: world.uri('saga-count') })));
        await bus.start();
        const events = await handled;
        const row = await one('Counter', 'c-1');
        expect(dataOf<Counter>(row).count).to.equal(50);
        expect(row?.version).to.equal(50);
        expect(errors).to.deep.equal([]);
        // A lost race is released uncounted: with maximumFailureCount 1 a counted one would have reached the error queue.
        expect(events.every(([tm]) => tm.failureMessages.length === 0)).to.equal(true);
      });

      it('a redelivered copy of a handled message is skipped before its instance is loaded', async () => {
        const bus = world.endpoint('saga-dup', counterSaga.handlers);
        await bus.start();
        const handled = waitForEvents(bus.events, 'messageHandled');
        const sent = await bus.send(new Increment('c-4', 1), { local: true });
        await handled;
        const ignored = waitForEvents(bus.events, 'messageIgnored');
        await world.endpointQueue('saga-dup').enqueue(sent, serializeTransportMessage(sent));
        await ignored;
        const row = await one('Counter', 'c-4');
        expect(row?.version).to.equal(1);
        expect(dataOf<Counter>(row).count).to.equal(1);
      });

      it('two SagaModules bound by mistake still load and save once', async () => {
        const bus = world.endpoint('saga-two-modules', counterSaga.handlers, {}, [new SagaModule(), new SagaModule()]);
        await bus.start();
        const handled = waitForEvents(bus.events, 'messageHandled', 2);
        await bus.send(new Increment('c-5', 1), { local: true });
        await bus.send(new Increment('c-5', 2), { local: true });
        await handled;
        const row = await one('Counter', 'c-5');
        expect(row?.version).to.equal(2);
        expect(dataOf<Counter>(row).count).to.equal(2);
      });

      it('a save that loses its race (insert or versioned update refused) is released uncounted and retried into the winner, among concurrent messages', async () => {
        const inner = store.persister();
        let inserts = 0;
        let updates = 0;
        // As if another unit of work had committed first: the first insert and the third update are refused.
        const persister: ISagaPersister = {
          findByCorrelation: (uow, t, c) => inner.findByCorrelation(uow, t, c),
          findById: (uow, t, i) => inner.findById(uow, t, i),
          insert: async (uow: IUnitOfWork, saga: StoredSaga) => (++inserts === 1 ? false : inner.insert(uow, saga)),
          update: async (uow, saga, v) => (++updates === 3 ? false : inner.update(uow, saga, v)),
          remove: (uow, t, i, v) => inner.remove(uow, t, i, v),
        };
        const bus = world.endpoint('saga-lose', counterSaga.handlers, { inbox: { threadCount: 8, maximumFailureCount: 1 } as never }, [new SagaModule({ persister })]);
        const errors = world.errors(bus);
        const lost: unknown[] = [];
        bus.events.on('messageReleased', (_tm, error) => lost.push(error));
        const handled = waitForEvents(bus.events, 'messageHandled', 10);
        const sender = world.endpoint('saga-lose-sender', [], { idempotence: false });
        await sender.start();
        await world.createInbox('saga-lose');
        await Promise.all(Array.from({ length: 10 }, (_, i) => sender.send(new Increment('c-3', i), { recipient: world.uri('saga-lose') })));
        await bus.start();
        const events = await handled;
        expect(lost).to.have.length(2);
        expect(lost.every((e) => e instanceof SagaConcurrencyError)).to.equal(true);
        expect(events.every(([tm]) => tm.failureMessages.length === 0)).to.equal(true);
        expect(errors).to.deep.equal([]);
        const row = await one('Counter', 'c-3');
        expect(dataOf<Counter>(row).count).to.equal(10);
        expect(row?.version).to.equal(10);
      });
    });

    describe("the handler's unit of work", () => {
      it("a handler that writes its own row in ctx.transaction and throws changes neither the saga's state nor the row", async () => {
        const bus = world.endpoint('saga-throw', counterSaga.handlers);
        await bus.start();
        const first = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new Increment('c-2', 1000), { local: true });
        await first;
        // The write itself works: the first message's row committed with its saga state.
        expect(await store.ownRowExists('c-2:1000')).to.equal(true);
        const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
        await bus.send(new Increment('c-2', -1), { local: true });
        await moved;
        const row = await one('Counter', 'c-2');
        expect(row?.version).to.equal(1);
        expect(dataOf<Counter>(row).count).to.equal(1);
        expect(await store.ownRowExists('c-2:-1')).to.equal(false);
      });

      it('an endpoint listing a saga without idempotence fails to start, naming the saga', async () => {
        const bus = world.endpoint('saga-no-idem', orderSaga('NoIdemOrder').handlers, { idempotence: false });
        const error = await bus.start().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ConfigurationError);
        expect((error as Error).message).to.contain("saga 'NoIdemOrder' needs idempotence on");
      });
    });
  });
}
