import { expect } from 'chai';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { SagaConcurrencyError } from '../../src/errors/errors.js';
import type { IUnitOfWork } from '../../src/idempotence/unit-of-work.js';
import { defineSaga } from '../../src/sagas/define-saga.js';
import { MemorySagaPersister } from '../../src/sagas/persistence/memory-saga-persister.js';
import { SagaModule } from '../../src/sagas/saga-module.js';
import type { StoredSaga } from '../../src/sagas/saga-persister.js';
import { JsonSerializer } from '../../src/serialization/json-serializer.js';
import { waitForEvents } from '../support/latch.js';
import { orderSaga } from './order-saga.js';
import { Increment, OrderPlaced } from './saga-messages.js';
import { SagaWorld } from './saga-world.js';

const dataOf = <T>(row: StoredSaga | undefined): T => (new JsonSerializer().deserialize(row!.state) as { data: T }).data;

class Counter {
  count = 0;
}

/** Reads, yields (so a concurrent message could interleave), then writes: a lost update would show. */
const counterSaga = defineSaga('Counter', Counter)
  .startedBy(Increment, (m) => m.key, async (ctx) => {
    const before = ctx.saga.data.count;
    await new Promise((r) => setTimeout(r, 1));
    ctx.saga.data.count = before + 1;
    if (ctx.message.n < 0) throw new Error('the handler failed after changing the data');
  })
  .build();

describe('sagas under concurrency on a memory endpoint', () => {
  const world = new SagaWorld();
  after(() => world.stopAll());

  it('racing starting messages converge on one instance', async () => {
    const { bus } = world.sagaEndpoint('saga-race', orderSaga('RaceOrder').handlers, { inbox: { threadCount: 8 } as never });
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled', 10);
    await Promise.all(Array.from({ length: 10 }, () => bus.send(new OrderPlaced('r-1', 1), { local: true })));
    await handled;
    const rows = world.rows('RaceOrder');
    expect(rows).to.have.length(1);
    expect(dataOf<{ starts: number; created: number }>(rows[0])).to.include({ starts: 10, created: 1 });
  });

  it('50 concurrent messages to one instance lose no update', async () => {
    const { bus } = world.sagaEndpoint('saga-count', counterSaga.handlers, { inbox: { threadCount: 8 } as never });
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled', 50);
    await Promise.all(Array.from({ length: 50 }, (_, i) => bus.send(new Increment('c-1', i), { local: true })));
    await handled;
    const [row] = world.rows('Counter').filter((r) => r.correlationId === 'c-1');
    expect(dataOf<Counter>(row).count).to.equal(50);
    expect(row?.version).to.equal(50);
    expect(world.messagesIn('saga-count-error')).to.deep.equal([]);
  });

  it('a redelivered copy of a handled message is skipped before its instance is loaded', async () => {
    const { bus } = world.sagaEndpoint('saga-dup', counterSaga.handlers);
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled');
    const sent = await bus.send(new Increment('c-4', 1), { local: true });
    await handled;
    const ignored = waitForEvents(bus.events, 'messageIgnored');
    await world.broker.create('memory://saga-dup').enqueue(sent, serializeTransportMessage(sent));
    await ignored;
    const [row] = world.rows('Counter').filter((r) => r.correlationId === 'c-4');
    expect(row?.version).to.equal(1);
    expect(dataOf<Counter>(row).count).to.equal(1);
  });

  it('two SagaModules bound by mistake still load and save once', async () => {
    const { bus } = world.endpoint('saga-two-modules', { idempotence: true, handlers: [...counterSaga.handlers] }, [new SagaModule(), new SagaModule()]);
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled', 2);
    await bus.send(new Increment('c-5', 1), { local: true });
    await bus.send(new Increment('c-5', 2), { local: true });
    await handled;
    const [row] = world.rows('Counter').filter((r) => r.correlationId === 'c-5');
    expect(row?.version).to.equal(2);
    expect(dataOf<Counter>(row).count).to.equal(2);
  });

  it('a handler that throws leaves the saved state unchanged', async () => {
    const { bus } = world.sagaEndpoint('saga-throw', counterSaga.handlers);
    await bus.start();
    const first = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new Increment('c-2', 1), { local: true });
    await first;
    const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
    await bus.send(new Increment('c-2', -1), { local: true });
    await moved;
    const [row] = world.rows('Counter').filter((r) => r.correlationId === 'c-2');
    expect(row?.version).to.equal(1);
    expect(dataOf<Counter>(row).count).to.equal(1);
  });

  it('a starter that loses the insert retries into the winner (SagaConcurrencyError, released uncounted)', async () => {
    const memory = new MemorySagaPersister();
    let refused = 0;
    // The first insert is refused as if a racing starter had committed first.
    const persister = Object.assign(Object.create(memory) as MemorySagaPersister, {
      insert: async (uow: IUnitOfWork, saga: StoredSaga) => (refused++ === 0 ? false : memory.insert(uow, saga)),
    });
    const { bus } = world.endpoint('saga-lose', { idempotence: true, handlers: [...counterSaga.handlers] }, [new SagaModule({ persister })]);
    await bus.start();
    const released = waitForEvents(bus.events, 'messageReleased');
    const handled = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new Increment('c-3', 1), { local: true });
    const [[, error]] = await released;
    const [[tm]] = await handled;
    expect(error).to.be.instanceOf(SagaConcurrencyError);
    expect(tm.failureMessages).to.deep.equal([]);
    expect(dataOf<Counter>(world.rows('Counter').find((r) => r.correlationId === 'c-3')).count).to.equal(1);
  });
});
