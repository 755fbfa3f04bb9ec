import { expect } from 'chai';
import { defineSaga } from '../../src/sagas/define-saga.js';
import { JsonSerializer } from '../../src/serialization/json-serializer.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { orderSaga, outRoutes } from './order-saga.js';
import { OrderPlaced, PaymentDue, PaymentReceived, StockReserved } from './saga-messages.js';
import { SagaWorld } from './saga-world.js';

const dataOf = (bytes: Uint8Array) => (new JsonSerializer().deserialize(bytes) as { data: { fired: number } }).data;

class Reminder {
  fired = 0;
}

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

const dropped = (world: SagaWorld, why: string) => world.logger.lines.filter((l) => l.level === 'debug' && l.message === `saga timeout dropped: ${why}`);

describe('saga timeouts on a memory endpoint', () => {
  const world = new SagaWorld();
  after(() => world.stopAll());

  it('fires when due and runs the timeout handler on its instance', async () => {
    const { bus } = world.sagaEndpoint('saga-to-fire', orderSaga('FireOrder', { timeoutAfter: 30 }).handlers, { routes: outRoutes('saga-to-fire') });
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled', 2);
    await bus.send(new OrderPlaced('t-1', 1), { local: true });
    await handled;
    await eventually(() => world.messagesIn('saga-to-fire-out').length === 1, 'CancelOrder is flushed');
    expect(world.messagesIn('saga-to-fire-out')[0]?.messageType).to.equal('sagatest.CancelOrder');
    expect(world.rows('FireOrder')).to.deep.equal([]);
  });

  it('is dropped when its instance completed before it was due', async () => {
    const { bus } = world.sagaEndpoint('saga-to-done', orderSaga('DoneOrder', { timeoutAfter: 100 }).handlers, { routes: outRoutes('saga-to-done') });
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled', 4);
    await bus.send(new OrderPlaced('t-2', 1), { local: true });
    await bus.send(new PaymentReceived('t-2'), { local: true });
    await bus.send(new StockReserved('t-2'), { local: true });
    const events = await handled;
    expect(events.at(-1)?.[0].messageType).to.equal('sagatest.PaymentDue');
    await eventually(() => world.messagesIn('saga-to-done-out').length === 1, 'ShipOrder is flushed');
    expect(world.messagesIn('saga-to-done-out').map((m) => m.messageType)).to.deep.equal(['sagatest.ShipOrder']);
    expect(dropped(world, 'its instance is gone').some((l) => l.meta?.saga === 'DoneOrder')).to.equal(true);
  });

  it('runs only the latest request under a name: the superseded one is dropped', async () => {
    const { bus } = world.sagaEndpoint('saga-to-super', reminderSaga.handlers);
    await bus.start();
    const started = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new OrderPlaced('t-3', 400), { local: true });
    await started;
    // Both timeouts delivered: the replacement (30 ms) first, then the superseded one (400 ms).
    const delivered = waitForEvents(bus.events, 'messageHandled', 3);
    await bus.send(new PaymentReceived('t-3'), { local: true });
    await delivered;
    const [row] = world.rows('Reminder');
    expect(dataOf(row!.state).fired).to.equal(1);
    expect(dropped(world, 'superseded, cancelled or already run')).to.have.length(1);
  });

  it('cancelTimeout: the cancelled timeout is dropped when delivered', async () => {
    const { bus } = world.sagaEndpoint('saga-to-cancel', reminderSaga.handlers);
    await bus.start();
    const delivered = waitForEvents(bus.events, 'messageHandled', 3);
    await bus.send(new OrderPlaced('t-4', 60), { local: true });
    await bus.send(new StockReserved('t-4'), { local: true });
    await delivered;
    const row = world.rows('Reminder').find((r) => r.correlationId === 't-4');
    expect(dataOf(row!.state).fired).to.equal(0);
    expect(dropped(world, 'superseded, cancelled or already run').filter((l) => l.meta?.instanceId === row?.instanceId)).to.have.length(1);
  });
});
