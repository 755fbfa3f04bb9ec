import { expect } from 'chai';
import { SagaCorrelationError, SagaNotFoundError } from '../../src/errors/errors.js';
import { defineSaga } from '../../src/sagas/define-saga.js';
import { SAGA_ID_HEADER, SAGA_TYPE_HEADER } from '../../src/sagas/saga-headers.js';
import { SagaScenario } from '../../src/testing/index.js';
import { CancelOrder, OrderPlaced, PaymentDue, PaymentReceived, ShipOrder, StockReserved } from '../sagas/saga-messages.js';
import { orderSaga } from '../sagas/order-saga.js';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');

describe('oncebus/testing: SagaScenario', () => {
  it('given prior messages, when one arrives, then the state and the sends', async () => {
    const scenario = new SagaScenario(orderSaga('ScenarioOrder'), { now: T0 });
    const [placed] = await scenario.given(new OrderPlaced('A-1', 2), new PaymentReceived('A-1'));
    expect(placed!.timeouts.map((t) => ({ type: t.message.constructor, name: t.name, dueAt: t.dueAt }))).to.deep.equal([
      { type: PaymentDue, name: 'sagatest.PaymentDue', dueAt: T0 + 3_600_000 },
    ]);
    const before = scenario.instance('A-1');
    expect(before?.data.paid).to.equal(true);
    expect(before?.data.describe()).to.equal('A-1: 200000000000000000000 since 2026-12-07T10:00:00.000Z');
    expect(before?.version).to.equal(2);
    expect(before?.timeouts).to.deep.equal(['sagatest.PaymentDue']);

    const ctx = await scenario.when(new StockReserved('A-1'));
    expect(ctx.handled).to.equal(true);
    expect(ctx.sent.map((s) => s.message)).to.deep.equal([new ShipOrder('A-1')]);
    expect(ctx.sent[0]!.transportMessage.headers).to.include({ [SAGA_TYPE_HEADER]: 'ScenarioOrder', [SAGA_ID_HEADER]: before?.id });
    expect(ctx.timeouts).to.deep.equal([]);
    expect(scenario.instance('A-1')).to.equal(undefined);
  });

  it('advanceTime delivers a due timeout through the saga, and not before it is due', async () => {
    const scenario = new SagaScenario(orderSaga('ScenarioTimeout'), { now: T0 });
    await scenario.given(new OrderPlaced('B-1', 1));
    expect(await scenario.advanceTime('59m')).to.deep.equal([]);
    expect(scenario.instance('B-1')).to.not.equal(undefined);
    const [fired, ...more] = await scenario.advanceTime('1m');
    expect(more).to.deep.equal([]);
    expect(fired!.handled).to.equal(true);
    expect(fired!.sent.map((s) => s.message)).to.deep.equal([new CancelOrder('B-1')]);
    expect(scenario.instance('B-1')).to.equal(undefined);
    expect(scenario.now).to.equal(T0 + 3_600_000);
  });

  it('a timeout whose instance completed first is delivered and dropped', async () => {
    const scenario = new SagaScenario(orderSaga('ScenarioDropped'), { now: T0 });
    await scenario.given(new OrderPlaced('C-1', 1), new PaymentReceived('C-1'), new StockReserved('C-1'));
    const [late] = await scenario.advanceTime('2h');
    expect(late!.handled).to.equal(false);
    expect(late!.sent).to.deep.equal([]);
  });

  it('a failing message rejects and leaves the saved state as it was', async () => {
    const scenario = new SagaScenario(orderSaga('ScenarioFailing', { notFound: 'poison' }), { now: T0 });
    const error = await scenario.when(new PaymentReceived('nobody')).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SagaNotFoundError);
    expect(await scenario.when(new OrderPlaced('', 1)).catch((e: unknown) => e)).to.be.instanceOf(SagaCorrelationError);
    expect(scenario.instance('nobody')).to.equal(undefined);
  });

  it('a handler that throws after changing the data leaves the saved instance unchanged', async () => {
    class Tally {
      n = 0;
    }
    const saga = defineSaga('ScenarioThrows', Tally)
      .startedBy(OrderPlaced, (m) => m.orderId, (ctx) => {
        ctx.saga.data.n += ctx.message.amount;
        if (ctx.message.amount < 0) throw new Error('negative');
      })
      .build();
    const scenario = new SagaScenario(saga);
    await scenario.given(new OrderPlaced('D-1', 5));
    const error = await scenario.when(new OrderPlaced('D-1', -1)).catch((e: unknown) => e);
    expect((error as Error).message).to.equal('negative');
    expect(scenario.instance('D-1')).to.include({ version: 1 });
    expect(scenario.instance('D-1')?.data.n).to.equal(5);
  });
});
