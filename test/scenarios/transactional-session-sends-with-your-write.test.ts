import { expect } from 'chai';
import { Container } from 'inversify';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import type { MemoryTransaction } from '../../src/idempotence/memory/index.js';
import { addOncebus, createSilentLogger, handlesMessage, type IMessageHandler, type IServiceBus, type ITransactionalSession, TYPES } from '../../src/index.js';
import type { IOncebusModule } from '../../src/extending.js';
import type { FlushMessageState } from '../../src/pipelines/flush/flush-message-state.js';
import { TestHarness } from '../../src/testing/index.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import { eventually } from '../support/latch.js';
import { SessionOrderAccepted, SessionPlaceOrder } from '../support/session-messages.js';

const orders: string[] = [];
const handled: string[] = [];

@handlesMessage(SessionPlaceOrder)
class PlaceOrderHandler implements IMessageHandler<SessionPlaceOrder> {
  handle(ctx: { message: SessionPlaceOrder }): void {
    handled.push(ctx.message.orderId);
  }
}

@handlesMessage(SessionOrderAccepted)
class AcceptedRecorder implements IMessageHandler<SessionOrderAccepted> {
  handle(ctx: { message: SessionOrderAccepted }): void {
    handled.push(`accepted ${ctx.message.orderId}`);
  }
}

describe('scenario: a transactional session (bus.withTransaction) sends with your write, or not at all', () => {
  let harness: TestHarness;
  let web: IServiceBus;
  const routes = [{ uri: 'memory://orders', specifications: [{ types: [SessionPlaceOrder] }] }];

  beforeEach(async () => {
    orders.length = 0;
    handled.length = 0;
    harness = new TestHarness();
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true });
    harness.endpoint('billing', { handlers: [AcceptedRecorder], idempotence: true, subscriptions: [SessionOrderAccepted] });
    web = harness.endpoint('web', { inbox: undefined, routes });
    await harness.start();
  });
  afterEach(async () => harness.stop());

  /** The write the memory store's transaction makes: it applies only if the session commits. */
  const placeOrder = async (session: ITransactionalSession<MemoryTransaction>, orderId: string) => {
    session.transaction.onCommit(() => orders.push(orderId));
    await session.send(new SessionPlaceOrder(orderId));
    await session.publish(new SessionOrderAccepted(orderId));
  };

  it('commits: the write applies and each message is handled once, sent by the session', async () => {
    let sessionId = '';
    const sent = await web.withTransaction(async (session: ITransactionalSession<MemoryTransaction>) => {
      sessionId = session.id;
      await placeOrder(session, 'A-1');
      return 'done';
    });
    expect(sent).to.equal('done');
    await harness.settled();
    expect(orders).to.deep.equal(['A-1']);
    expect(handled.sort()).to.deep.equal(['A-1', 'accepted A-1']);
    const dispatched = harness.flow.filter((s) => s.event === 'dispatched' && s.endpoint === 'web');
    expect(dispatched.map((s) => s.to).sort()).to.deep.equal(['memory://billing', 'memory://orders']);
    expect(sessionId).to.match(/^[0-9a-f-]{36}$/);
  });

  it('rolls back when the work throws: no write, nothing sent, the error rethrown', async () => {
    const error = await web
      .withTransaction(async (session: ITransactionalSession<MemoryTransaction>) => {
        await placeOrder(session, 'R-1');
        throw new Error('out of stock');
      })
      .catch((e: unknown) => e as Error);
    expect(error?.message).to.equal('out of stock');
    await harness.settled();
    expect(orders).to.deep.equal([]);
    expect(handled).to.deep.equal([]);
    expect(harness.flow.filter((s) => s.endpoint === 'web')).to.deep.equal([]);
  });

  it('a session that sends nothing leaves no row behind', async () => {
    const rowsBefore = harness.idempotence.rows.size;
    await web.withTransaction(async (session: ITransactionalSession<MemoryTransaction>) => session.transaction.onCommit(() => orders.push('quiet')));
    expect(orders).to.deep.equal(['quiet']);
    expect(harness.idempotence.rows.size).to.equal(rowsBefore);
  });

  it('a send the work did not await still goes with the commit; one that fails rolls the session back', async () => {
    // Neither the failed send nor one made after the session ended may surface as an unhandled rejection.
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      await unawaitedSends();
      await new Promise((resolve) => setTimeout(resolve, 20)); // let Node report any unhandled rejection
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled, 'unhandled rejections').to.deep.equal([]);
  });

  const unawaitedSends = async () => {
    let late: ITransactionalSession | undefined;
    await web.withTransaction(async (session: ITransactionalSession<MemoryTransaction>) => {
      late = session;
      session.transaction.onCommit(() => orders.push('U-1'));
      void session.send(new SessionPlaceOrder('U-1'));
    });
    await harness.settled();
    expect(handled).to.deep.equal(['U-1']);
    const error = await web
      .withTransaction(async (session: ITransactionalSession<MemoryTransaction>) => {
        session.transaction.onCommit(() => orders.push('U-2'));
        void session.send(new SessionOrderAccepted('U-2')); // a send without a route: it fails
      })
      .catch((e: unknown) => e as Error);
    expect(error?.name).to.equal('NoRouteError');
    await harness.settled();
    expect(orders, 'the failed send took its write with it').to.deep.equal(['U-1']);
    void late?.send(new SessionPlaceOrder('too late'));
    const lateError = await late?.send(new SessionPlaceOrder('too late')).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(lateError?.name, 'a send after the session ended').to.equal('BusStateError');
  };

  it('concurrent sends in one session are each stored and handled once', async () => {
    await web.withTransaction(async (session: ITransactionalSession<MemoryTransaction>) => {
      await Promise.all(['C-1', 'C-2', 'C-3'].map((id) => session.send(new SessionPlaceOrder(id))));
    });
    await harness.settled();
    expect(handled.sort()).to.deep.equal(['C-1', 'C-2', 'C-3']);
  });
});

describe('scenario: bus.withTransaction refuses what it cannot do, saying what to do', () => {
  it('without an idempotence store bound: a ConfigurationError naming the store', async () => {
    const c = new Container();
    c.bind(TYPES.QueueFactory).toConstantValue(new MemoryBroker());
    c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(c, { name: 'web' });
    const bus = c.get<IServiceBus>(TYPES.ServiceBus);
    await bus.start();
    try {
      const error = await bus.withTransaction(async () => undefined).catch((e: unknown) => e as Error & { hint?: string });
      expect(error?.name).to.equal('ConfigurationError');
      expect(error?.message).to.contain('idempotence store');
      expect(error?.hint).to.contain('TYPES.IdempotenceServiceFactory');
    } finally {
      await bus.stop();
    }
  });

  it('before start: a BusStateError', async () => {
    const harness = new TestHarness();
    const web = harness.endpoint('web', { inbox: undefined });
    const error = await web.withTransaction(async () => undefined).catch((e: unknown) => e as Error);
    expect(error?.name).to.equal('BusStateError');
  });

});

describe('scenario: the session sweeper sends what a session owes, whatever else fails', () => {
  it('sessions whose dispatch keeps failing do not starve the sweeper: one that can be sent still is', async () => {
    const poisoned = new Set<string>();
    let goodFailedOnce = false;
    // Fails every dispatch of a poisoned session, and the good session's own dispatch once (so the sweeper owes it).
    const failing: IOncebusModule = {
      register(pipelines) {
        pipelines.flush.addObserver({
          event: 'onBeforeDispatchDeferredMessage',
          name: 'poisoned sessions',
          execute(state: FlushMessageState) {
            if (poisoned.has(state.received.messageId)) throw new Error('this session can never be sent');
            if (!goodFailedOnce) {
              goodFailedOnce = true;
              throw new Error('the broker blinked');
            }
          },
        });
      },
    };
    const harness = new TestHarness();
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true });
    const web = harness.endpoint('web', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [SessionPlaceOrder] }] }], sessionSweepInterval: '20ms' }, (c) =>
      c.bind(TYPES.Module).toConstantValue(failing),
    );
    handled.length = 0;
    await harness.start();
    try {
      // More poisoned sessions than one sweep pass takes, all older than the good one.
      for (let i = 0; i < 130; i++) {
        await web.withTransaction(async (session) => {
          poisoned.add(session.id);
          await session.send(new SessionPlaceOrder(`P-${i}`));
        });
      }
      await web.withTransaction(async (session) => {
        await session.send(new SessionPlaceOrder('G-1'));
      });
      expect(goodFailedOnce, 'the good session was left to the sweeper').to.equal(true);
      await eventually(async () => handled.includes('G-1'), 'the sweeper sent the good session past the poisoned ones', 3_000);
      expect(handled).to.deep.equal(['G-1']);
    } finally {
      await harness.stop();
    }
  });

  it('a dispatch that fails after the commit leaves the messages to the sweeper, which sends them once', async () => {
    const harness = new TestHarness();
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true });
    const web = harness.endpoint('web', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [SessionPlaceOrder] }] }], sessionSweepInterval: '50ms' }, (c) =>
      c.bind(TYPES.Module).toConstantValue(FaultInjectionModule.fromSpec('flush:onBeforeDispatchDeferredMessage:throw')!),
    );
    handled.length = 0;
    await harness.start();
    try {
      await web.withTransaction(async (session) => {
        await session.send(new SessionPlaceOrder('S-1'));
      });
      await harness.settled({ timeoutMs: 5_000 });
      expect(handled).to.deep.equal(['S-1']);
    } finally {
      await harness.stop();
    }
  });
});
