import { expect } from 'chai';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Container } from 'inversify';
import { TYPES } from '../../src/di/tokens.js';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { MetricsModule, TracingModule } from '../../src/telemetry/index.js';
import { eventually } from '../support/latch.js';
import { orderSaga } from '../sagas/order-saga.js';
import { CancelOrder, OrderPlaced, PaymentReceived, ShipOrder, StockReserved } from '../sagas/saga-messages.js';
import { SagaWorld } from '../sagas/saga-world.js';
import { installTracingGlobals, removeTracingGlobals } from '../support/tracing-globals.js';
import { TestReader, total } from './metric-points.js';

/** Where the saga's ShipOrder and CancelOrder go: a queue the test reads. */
const outRoutes = (name: string) => [{ uri: `memory://${name}-out`, specifications: [{ types: [ShipOrder, CancelOrder] }] }];

// A real saga run on memory endpoints with the TracingModule and the MetricsModule: spans name the saga
// instance, and its steps are counted once each, when they commit — whatever failed before or after.

describe('telemetry of sagas: spans carry the instance, counters count committed steps by saga type', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('oncebus-saga-test');
  const reader = new TestReader();
  const meters = new MeterProvider({ readers: [reader] });
  const world = new SagaWorld();
  /** Telemetry first, then the faults: a fault after the commit strikes after the counting observer. */
  const observed = (faults: FaultInjectionModule | null) => (c: Container) => {
    c.bind(TYPES.Module).toConstantValue(new TracingModule({ tracer }));
    c.bind(TYPES.Module).toConstantValue(new MetricsModule({ meter: meters.getMeter('oncebus-saga-test') }));
    if (faults) c.bind(TYPES.Module).toConstantValue(faults);
  };

  before(() => {
    installTracingGlobals();
  });
  after(async () => {
    await world.stopAll();
    await meters.shutdown();
    removeTracingGlobals();
  });

  it('start, advance and complete: every span of the instance names it; started and completed once each despite a failure before and one after a commit', async () => {
    // The first OrderPlaced fails after its handler (rolled back, retried); StockReserved fails after its commit (redelivered, only flushed).
    const faults = new FaultInjectionModule([
      { pipeline: 'inbox', event: 'onAfterHandleMessage', action: 'throw', nth: 1 },
      { pipeline: 'inbox', event: 'onAfterCommitUnitOfWork', action: 'throw', nth: 3 },
    ]);
    const saga = orderSaga('TeleOrder');
    const { bus } = world.sagaEndpoint('tele-orders', saga.handlers, { routes: outRoutes('tele-orders') }, observed(faults));
    await bus.start();
    await bus.send(new OrderPlaced('t-1', 2), { local: true });
    await eventually(() => world.rows('TeleOrder').length === 1, 'the instance started');
    await bus.send(new PaymentReceived('t-1'), { local: true });
    await eventually(() => world.rows('TeleOrder')[0]?.version === 2, 'the payment saved');
    await bus.send(new StockReserved('t-1'), { local: true });
    await eventually(() => world.messagesIn('tele-orders-out').length === 1, 'ShipOrder is flushed');
    // A message no instance answers: no saga on its span, nothing counted.
    const nobody = await bus.send(new PaymentReceived('nobody'), { local: true });
    await eventually(() => exporter.getFinishedSpans().some((s) => s.name === 'process sagatest.PaymentReceived' && s.attributes['messaging.message.id'] === nobody.messageId), 'its span ended');

    const instanceId = world.messagesIn('tele-orders-out')[0]!.headers['oncebus-saga-id'];
    expect(instanceId).to.be.a('string');
    const spans = exporter.getFinishedSpans();
    // The consumer spans of handled copies (a timeout's first pass, put aside for later, handles nothing).
    const processed = spans.filter((s) => s.name.startsWith('process sagatest.') && s.attributes['messaging.destination.name'] === 'memory://tele-orders' && s.attributes['oncebus.idempotence.outcome'] !== undefined);
    const named = (name: string) => processed.filter((s) => s.name === `process sagatest.${name}`);
    expect(processed.filter((s) => s.attributes['oncebus.saga.id'] === instanceId).map((s) => s.name)).to.deep.equal(['process sagatest.OrderPlaced', 'process sagatest.PaymentReceived', 'process sagatest.StockReserved']);
    expect(processed.filter((s) => s.attributes['oncebus.saga.id'] !== undefined).every((s) => s.attributes['oncebus.saga.type'] === 'TeleOrder')).to.equal(true);
    // The attempt that failed after its handler names the instance it had started, which rolled back with it.
    const [failed, retried] = named('OrderPlaced');
    expect(failed?.events.map((e) => e.name)).to.deep.equal(['exception']);
    expect(failed?.attributes['oncebus.saga.id']).to.be.a('string').and.not.equal(instanceId);
    expect(retried?.attributes['oncebus.saga.id']).to.equal(instanceId);
    // The redelivery after a commit only flushed (idempotence: 'handled'): no saga ran for it.
    const [completing, redelivered] = named('StockReserved');
    expect(completing?.events.map((e) => e.name)).to.deep.equal(['exception']);
    expect(redelivered?.attributes).to.include({ 'oncebus.idempotence.outcome': 'handled' }).and.not.have.property('oncebus.saga.id');
    const stray = named('PaymentReceived').filter((s) => s.attributes['oncebus.saga.id'] === undefined);
    expect(stray, 'the one no instance answered').to.have.length(1);
    expect(stray[0]!.attributes).to.not.have.property('oncebus.saga.type');
    const [ship] = spans.filter((s) => s.name === 'send sagatest.ShipOrder');
    expect(ship?.attributes, 'the producer span of what the saga sent').to.include({ 'oncebus.saga.type': 'TeleOrder', 'oncebus.saga.id': instanceId });

    const { resourceMetrics: m } = await reader.collect();
    const byType = { 'oncebus.saga.type': 'TeleOrder', 'messaging.destination.name': 'memory://tele-orders' };
    expect(total(m, 'oncebus.saga.started', byType), 'started once: the failed attempt rolled back').to.equal(1);
    expect(total(m, 'oncebus.saga.completed', byType), 'completed once: the redelivery ran no saga').to.equal(1);
    expect(total(m, 'oncebus.saga.timeouts_fired', byType)).to.equal(0);
  });

  it('a timeout that fires: its span names the instance, timeouts_fired and completed count it by saga type', async () => {
    const saga = orderSaga('TeleLate', { timeoutAfter: 100 });
    const { bus } = world.sagaEndpoint('tele-late', saga.handlers, { routes: outRoutes('tele-late') }, observed(null));
    await bus.start();
    await bus.send(new OrderPlaced('l-1', 1), { local: true });
    await eventually(() => world.messagesIn('tele-late-out').length === 1, 'CancelOrder sent by the timeout', 10_000);
    expect(world.rows('TeleLate')).to.deep.equal([]);

    const cancel = world.messagesIn('tele-late-out')[0]!;
    expect(cancel.messageType).to.equal('sagatest.CancelOrder');
    const [timeout] = exporter.getFinishedSpans().filter((s) => s.name === 'process sagatest.PaymentDue' && s.attributes['messaging.destination.name'] === 'memory://tele-late' && s.attributes['oncebus.idempotence.outcome'] === 'new');
    expect(timeout?.attributes).to.include({ 'oncebus.saga.type': 'TeleLate', 'oncebus.saga.id': cancel.headers['oncebus-saga-id'] });

    const { resourceMetrics: m } = await reader.collect();
    const byType = { 'oncebus.saga.type': 'TeleLate' };
    expect(total(m, 'oncebus.saga.started', byType)).to.equal(1);
    expect(total(m, 'oncebus.saga.timeouts_fired', byType)).to.equal(1);
    expect(total(m, 'oncebus.saga.completed', byType)).to.equal(1);
    expect(total(m, 'oncebus.saga.started', { 'oncebus.saga.type': 'TeleOrder' }), 'the other saga is counted apart').to.equal(1);
  });
});
