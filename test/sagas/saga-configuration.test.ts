import { expect } from 'chai';
import { OncebusError } from '../../src/errors/errors.js';
import { defineSaga } from '../../src/sagas/define-saga.js';
import { waitForEvents } from '../support/latch.js';
import { orderSaga } from './order-saga.js';
import { OrderPlaced, PaymentDue, PaymentReceived, ShipOrder } from './saga-messages.js';
import { SagaWorld } from './saga-world.js';

class Empty {}

describe('sagas: configuration and bad messages', () => {
  const world = new SagaWorld();
  after(() => world.stopAll());

  it('an endpoint listing only some of a saga\'s handlers fails to start', async () => {
    const [starter] = orderSaga('PartOrder').handlers;
    const { bus } = world.sagaEndpoint('saga-part', [starter!]);
    const error = await bus.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.match(/saga 'PartOrder' is listed without its handlers for sagatest\.PaymentReceived, sagatest\.StockReserved, sagatest\.PaymentDue/);
  });

  for (const [what, orderId] of [
    ['empty', ''],
    ['over 200 characters', 'x'.repeat(201)],
    ['holding a control character', 'a\u0000b'],
  ] as const) {
    it(`a correlation value ${what} sends the message to the error queue at once`, async () => {
      const name = `saga-bad-${what.split(' ')[0]}`;
      const { bus } = world.sagaEndpoint(name, orderSaga(`Bad${what.split(' ')[0]}`).handlers);
      await bus.start();
      const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
      await bus.send(new OrderPlaced(orderId, 1), { local: true });
      const [[copy, reason]] = await moved;
      expect(copy.failureMessages).to.have.length(1);
      expect(copy.failureMessages[0]).to.contain('ONCEBUS_SAGA_CORRELATION');
      expect(reason).to.contain('the correlation value of sagatest.OrderPlaced');
      await bus.stop();
    });
  }

  it('a timeout without its saga headers (sent by hand) goes to the error queue', async () => {
    const { bus } = world.sagaEndpoint('saga-forged-timeout', orderSaga('ForgedOrder').handlers);
    await bus.start();
    const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
    await bus.send(new PaymentDue('f-1'), { local: true });
    const [[copy]] = await moved;
    expect(copy.failureMessages[0]).to.contain('ONCEBUS_SAGA_CORRELATION');
  });

  it('a saga handler on an endpoint without the SagaModule fails its message, saying to bind it', async () => {
    const { bus } = world.endpoint('saga-no-module', { idempotence: true, handlers: [...orderSaga('NoModuleOrder').handlers], inbox: { maximumFailureCount: 1 } as never });
    await bus.start();
    const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
    await bus.send(new OrderPlaced('m-1'), { local: true });
    const [[copy]] = await moved;
    expect(copy.failureMessages[0]).to.contain("saga 'NoModuleOrder' handled sagatest.OrderPlaced without its instance loaded");
    expect(copy.failureMessages[0]).to.contain('new SagaModule()');
  });

  it('the builder refuses what cannot work, at declaration', () => {
    const refuse = (build: () => unknown) => {
      try {
        build();
      } catch (e) {
        expect(OncebusError.is(e) && e.code).to.equal('ONCEBUS_CONFIGURATION');
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refuse(() => defineSaga('has space', Empty))).to.contain('not a valid saga name');
    expect(refuse(() => defineSaga('NoStart', Empty).handles(PaymentReceived, (m) => m.orderId, () => undefined).build())).to.contain('no message starts it');
    expect(
      refuse(() =>
        defineSaga('Twice', Empty)
          .startedBy(OrderPlaced, (m) => m.orderId, () => undefined)
          .handles(OrderPlaced, (m) => m.orderId, () => undefined),
      ),
    ).to.contain('declared twice');
    class Plain {}
    expect(refuse(() => defineSaga('Unnamed', Empty).startedBy(Plain, () => 'x', () => undefined))).to.contain('has no message type name');
  });

  it('requestTimeout refuses a message that is not one of the saga\'s timeouts', async () => {
    const saga = defineSaga('WrongTimeout', Empty)
      .startedBy(OrderPlaced, (m) => m.orderId, async (ctx) => {
        await ctx.saga.requestTimeout(new ShipOrder('x'), { after: '1s' });
      })
      .build();
    const { bus } = world.sagaEndpoint('saga-wrong-timeout', saga.handlers, { inbox: { maximumFailureCount: 1 } as never });
    await bus.start();
    const moved = waitForEvents(bus.events, 'messageSentToErrorQueue');
    await bus.send(new OrderPlaced('w-1'), { local: true });
    const [[copy]] = await moved;
    expect(copy.failureMessages[0]).to.contain('requestTimeout(sagatest.ShipOrder): not a timeout of this saga');
    expect(world.rows('WrongTimeout')).to.deep.equal([]);
  });
});
