import { expect } from 'chai';
import { SAGA_ID_HEADER, SAGA_TYPE_HEADER } from '../../src/sagas/saga-headers.js';
import { JsonSerializer } from '../../src/serialization/json-serializer.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { observed, orderSaga, outRoutes } from './order-saga.js';
import { OrderPlaced, PaymentReceived, StockReserved } from './saga-messages.js';
import { SagaWorld } from './saga-world.js';

const state = (bytes: Uint8Array) => new JsonSerializer().deserialize(bytes) as { data: Record<string, unknown>; timeouts: Record<string, string> };

describe('sagas on a memory endpoint: start, advance, complete', () => {
  const world = new SagaWorld();
  after(() => world.stopAll());

  it('starts an instance, saves each step with a new version, and removes it when it completes', async () => {
    const saga = orderSaga('LifeOrder');
    const { bus } = world.sagaEndpoint('saga-life', saga.handlers, { routes: outRoutes('saga-life') });
    await bus.start();

    const placed = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new OrderPlaced('o-1', 3), { local: true });
    await placed;
    const [started] = world.rows('LifeOrder');
    expect(started?.correlationId).to.equal('o-1');
    expect(started?.version).to.equal(1);
    expect(started?.completedAt).to.equal(null);
    expect(state(started!.state).data.orderId).to.equal('o-1');
    expect(Object.keys(state(started!.state).timeouts)).to.deep.equal(['sagatest.PaymentDue']);

    const paid = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new PaymentReceived('o-1'), { local: true });
    await paid;
    const [advanced] = world.rows('LifeOrder');
    expect(advanced?.version).to.equal(2);
    expect(advanced?.instanceId).to.equal(started?.instanceId);
    expect(state(advanced!.state).data.paid).to.equal(true);
    // Restored onto a new Order: its method works and the tagged values came back as themselves.
    expect(observed.at(-1)).to.deep.equal({ describe: 'o-1: 300000000000000000000 since 2026-12-07T10:00:00.000Z', date: true, bigint: true, map: true });

    const reserved = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new StockReserved('o-1'), { local: true });
    await reserved;
    await eventually(() => world.messagesIn('saga-life-out').length === 1, 'ShipOrder is flushed');
    expect(world.rows('LifeOrder')).to.deep.equal([]);
    const [ship] = world.messagesIn('saga-life-out');
    expect(ship?.messageType).to.equal('sagatest.ShipOrder');
    expect(ship?.headers[SAGA_TYPE_HEADER]).to.equal('LifeOrder');
    expect(ship?.headers[SAGA_ID_HEADER]).to.equal(started?.instanceId);
  });

  it('keepCompletedFor keeps a completed instance, which answers nothing, and purges it once older', async () => {
    const saga = orderSaga('KeptOrder', { keep: '500ms' });
    const { bus } = world.sagaEndpoint('saga-kept', saga.handlers, { routes: outRoutes('saga-kept') });
    await bus.start();
    const handled = (n: number) => waitForEvents(bus.events, 'messageHandled', n);

    let done = handled(3);
    await bus.send(new OrderPlaced('k-1', 1), { local: true });
    await bus.send(new PaymentReceived('k-1'), { local: true });
    await bus.send(new StockReserved('k-1'), { local: true });
    await done;
    const [kept] = world.rows('KeptOrder');
    expect(kept?.completedAt).to.be.a('number');

    done = handled(1);
    await bus.send(new PaymentReceived('k-1'), { local: true });
    await done;
    expect(world.rows('KeptOrder')).to.deep.equal([kept]);
    expect(world.logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('no saga instance') && l.meta?.correlationId === 'k-1')).to.equal(true);

    await new Promise((r) => setTimeout(r, 550));
    done = handled(1);
    await bus.send(new OrderPlaced('k-1', 2), { local: true });
    await done;
    const [again] = world.rows('KeptOrder');
    expect(again?.instanceId).to.not.equal(kept?.instanceId);
    expect(again?.completedAt).to.equal(null);
    expect(again?.version).to.equal(1);
  });
});

describe('sagas: a message no instance answers', () => {
  const world = new SagaWorld();
  after(() => world.stopAll());

  it("by default is acknowledged with a warn line ('ignore')", async () => {
    const { bus } = world.sagaEndpoint('saga-nf-ignore', orderSaga('IgnoreOrder').handlers);
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new PaymentReceived('nobody'), { local: true });
    await handled;
    expect(world.rows('IgnoreOrder')).to.deep.equal([]);
    expect(world.messagesIn('saga-nf-ignore-error')).to.deep.equal([]);
    const line = world.logger.lines.find((l) => l.level === 'warn' && l.meta?.saga === 'IgnoreOrder');
    expect(line?.meta).to.include({ correlationId: 'nobody', messageType: 'sagatest.PaymentReceived' });
  });

  it("'retry' retries it, then moves it to the error queue", async () => {
    const { bus } = world.sagaEndpoint('saga-nf-retry', orderSaga('RetryOrder', { notFound: 'retry' }).handlers);
    await bus.start();
    const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
    await bus.send(new PaymentReceived('early'), { local: true });
    const [[copy]] = await moved;
    expect(copy.failureMessages).to.have.length(3);
    expect(copy.failureMessages[0]).to.contain('ONCEBUS_SAGA_NOT_FOUND');
  });

  it("'poison' moves it to the error queue at once", async () => {
    const { bus } = world.sagaEndpoint('saga-nf-poison', orderSaga('PoisonOrder', { notFound: 'poison' }).handlers);
    await bus.start();
    const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
    await bus.send(new PaymentReceived('stray'), { local: true });
    const [[copy]] = await moved;
    expect(copy.failureMessages).to.have.length(1);
    expect(copy.failureMessages[0]).to.contain('ONCEBUS_SAGA_NOT_FOUND');
  });
});
