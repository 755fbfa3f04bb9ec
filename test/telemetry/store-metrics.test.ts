import { expect } from 'chai';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Container } from 'inversify';
import type { IOncebusModule, PipelineBuilders } from '../../src/modules/oncebus-module.js';
import { TYPES } from '../../src/di/tokens.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { SqlIdempotenceStore } from '../../src/stores/sql/sql-idempotence-store.js';
import { MetricsModule } from '../../src/telemetry/index.js';
import type { InboxMessageState } from '../../src/pipelines/inbox/inbox-message-state.js';
import { TestHarness } from '../../src/testing/index.js';
import { requireService } from '../support/integration.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../support/sql-subjects.js';
import { points, TestReader, total } from './metric-points.js';
import { OrderPlaced, PlaceOrder, PlaceOrderHandler, Recorder } from './telemetry-messages.js';

/** Holds the first stored send's dispatch until `open()`: a flush in progress that another copy can run into. */
class HoldFirstFlush implements IOncebusModule {
  private held = false;
  private release!: () => void;
  readonly reached: Promise<void>;
  private reach!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  constructor() {
    this.reached = new Promise((resolve) => {
      this.reach = resolve;
    });
  }

  open(): void {
    this.release();
  }

  /** The copies checked, in order (the test watches the second one wait). */
  readonly copies: InboxMessageState[] = [];

  register(pipelines: PipelineBuilders): void {
    pipelines.inbox.addObserver({ event: 'onCheckIdempotence', execute: (state: InboxMessageState) => void this.copies.push(state) });
    pipelines.flush.addObserver({
      event: 'onDispatchDeferredMessage',
      execute: async () => {
        if (this.held) return;
        this.held = true;
        this.reach();
        await this.gate;
      },
    });
  }
}

let blocked = 0;
/** Releases its message unchanged ('block') twice, then succeeds. */
@handlesMessage(PlaceOrder)
class BlockTwiceHandler implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    if (++blocked > 2) return;
    ctx.failureHandling = 'block';
    throw new Error('not yet');
  }
}

describe('telemetry: the store-side metrics (waited copies, owed sends, back-offs, group commit, retention)', function () {
  this.timeout(30_000);
  let reader: TestReader;
  let provider: MeterProvider;
  let harness: TestHarness;
  const metrics = (c: Container) => c.bind(TYPES.Module).toConstantValue(new MetricsModule({ meter: provider.getMeter('oncebus-test') }));
  const orders = { 'messaging.destination.name': 'memory://orders' };

  beforeEach(() => {
    reader = new TestReader();
    provider = new MeterProvider({ readers: [reader] });
    harness = new TestHarness();
  });
  afterEach(async () => {
    await harness.stop();
    await provider.shutdown();
  });

  it("a copy that ran into another copy's flush is counted 'waited'; the owed sends show while the flush is held", async () => {
    const hold = new HoldFirstFlush();
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true, inbox: { threadCount: 2 } }, (c) => {
      metrics(c);
      c.bind(TYPES.Module).toConstantValue(hold);
    });
    harness.endpoint('billing', { handlers: [Recorder], subscriptions: [OrderPlaced] });
    harness.endpoint('shipping', { handlers: [Recorder], subscriptions: [OrderPlaced] });
    const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] });
    await harness.start();
    await client.send(new PlaceOrder('W-1'), { messageId: 'order-W-1' });
    await hold.reached;
    // The first copy committed (two stored sends owed: one per subscriber) and is flushing; now its twin arrives.
    await client.send(new PlaceOrder('W-1'), { messageId: 'order-W-1' });
    for (let i = 0; i < 500 && !hold.copies[1]?.waitedForCopy; i++) await new Promise((r) => setTimeout(r, 5));
    expect(hold.copies[1]?.waitedForCopy, 'the twin waits behind the held flush').to.equal(true);
    const during = (await reader.collect()).resourceMetrics;
    expect(points(during, 'oncebus.sends.pending').map((p) => p.value), 'two sends owed while the flush is held').to.deep.equal([2]);
    const [age] = points(during, 'oncebus.sends.pending.age');
    expect(age?.value as number).to.be.at.least(0);
    hold.open();
    await harness.settled();

    const after = (await reader.collect()).resourceMetrics;
    expect(total(after, 'messaging.client.consumed.messages', { ...orders, 'oncebus.idempotence.outcome': 'new' })).to.equal(1);
    expect(total(after, 'messaging.client.consumed.messages', { ...orders, 'oncebus.idempotence.outcome': 'waited' })).to.equal(1);
    expect(total(after, 'oncebus.duplicates.skipped', { ...orders, 'oncebus.reason': 'waited' })).to.equal(1);
    expect(total(after, 'oncebus.duplicates.skipped', orders), 'no other reason counted').to.equal(1);
    expect(points(after, 'oncebus.sends.pending').map((p) => p.value), 'nothing owed once flushed').to.deep.equal([0]);
    expect(points(after, 'oncebus.sends.pending.age').map((p) => p.value)).to.deep.equal([0]);
    expect(total(after, 'oncebus.receive.back_offs', { ...orders, 'oncebus.loop': 'inbox', 'oncebus.reason': 'idle' }), 'idle loops pause').to.be.greaterThan(0);
    expect(total(after, 'oncebus.receive.back_offs', { ...orders, 'oncebus.reason': 'failure' })).to.equal(0);
  });

  it("counts a released message ('block') as a receive-loop pause of its own reason", async () => {
    harness.endpoint('orders', { handlers: [BlockTwiceHandler], inbox: { durationToSleepWhenIdle: [5] } }, metrics);
    const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] });
    await harness.start();
    await client.send(new PlaceOrder('B-1'));
    await harness.settled();
    const m = (await reader.collect()).resourceMetrics;
    expect(total(m, 'oncebus.receive.back_offs', { ...orders, 'oncebus.reason': 'released' }), 'two releases, two pauses').to.equal(2);
    expect(total(m, 'oncebus.receive.back_offs', { ...orders, 'oncebus.reason': 'failure' })).to.equal(0);
  });

  it('counts rows removed by retention once per store, however many endpoints share it (SQLite)', async () => {
    const sqlite = openSqliteStore();
    try {
      const idempotence = sqlite.idempotence({ windowMs: 60_000, intervalMs: 3_600_000 }) as SqlIdempotenceStore;
      const withStore = (c: Container) => {
        metrics(c);
        c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence);
      };
      harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true }, withStore);
      harness.endpoint('billing', { handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] }, withStore);
      const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] });
      await harness.start();
      for (const id of ['R-1', 'R-2', 'R-3']) await client.send(new PlaceOrder(id));
      await harness.settled();
      // 3 orders completed at orders, 3 events at billing: 6 rows, all past their window two minutes from now.
      const removed = await idempotence.purgeNow(Date.now() + 120_000);
      expect(removed).to.equal(6);
      const m = (await reader.collect()).resourceMetrics;
      expect(total(m, 'oncebus.retention.purged')).to.equal(6);
      expect(points(m, 'oncebus.retention.purged')).to.have.length(1);
    } finally {
      await harness.stop();
      await sqlite.dispose();
    }
  });

  it('records each group-commit batch: its size and its COMMIT time (PostgreSQL)', async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    const pgStore = openPostgresStore();
    try {
      const idempotence = pgStore.idempotence({ groupCommit: { lanes: 1 } });
      harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true, inbox: { threadCount: 8 } }, (c) => {
        metrics(c);
        c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence);
      });
      harness.endpoint('billing', { handlers: [Recorder], subscriptions: [OrderPlaced] });
      const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] });
      await harness.start();
      await Promise.all(Array.from({ length: 40 }, (_, i) => client.send(new PlaceOrder(`G-${i}`))));
      await harness.settled();
      const m = (await reader.collect()).resourceMetrics;
      const batches = total(m, 'oncebus.group_commit.batch.size', orders);
      expect(total(m, 'oncebus.group_commit.batch.size', orders, 'sum'), 'every order committed in some batch').to.equal(40);
      expect(batches).to.be.within(1, 40);
      expect(total(m, 'oncebus.group_commit.commit.duration', orders), 'one COMMIT time per batch').to.equal(batches);
      expect(total(m, 'oncebus.group_commit.commit.duration', orders, 'sum')).to.be.greaterThan(0);
    } finally {
      await harness.stop();
      await pgStore.dispose();
    }
  });
});
