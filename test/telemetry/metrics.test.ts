import { expect } from 'chai';
import type { Attributes } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Container } from 'inversify';
import { TYPES } from '../../src/di/tokens.js';
import { MetricsModule } from '../../src/telemetry/index.js';
import { TestHarness } from '../../src/testing/index.js';
import { TestReader, total } from './metric-points.js';
import { OrderPlaced, PlaceOrder, PlaceOrderHandler, Recorder } from './telemetry-messages.js';


describe('telemetry: OpenTelemetry metrics (MetricsModule) with the SDK’s metric reader', () => {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const harness = new TestHarness();
  const withMetrics = (c: Container) => c.bind(TYPES.Module).toConstantValue(new MetricsModule({ meter: provider.getMeter('oncebus-test') }));
  after(async () => {
    await harness.stop();
    await provider.shutdown();
  });

  it('counts what the scenario did: sends, copies by outcome, a duplicate, a retry, an error-queue move, flush lags', async () => {
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true, inbox: { maximumFailureCount: 2 } }, withMetrics);
    harness.endpoint('billing', { handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] }, withMetrics);
    harness.endpoint('shipping', { handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] }, withMetrics);
    const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withMetrics);
    await harness.start();
    await client.send(new PlaceOrder('A-1'), { messageId: 'order-A-1' });
    await harness.settled();
    await client.send(new PlaceOrder('A-1'), { messageId: 'order-A-1' }); // a duplicate
    await client.send(new PlaceOrder('bad'));
    await harness.settled();

    const { resourceMetrics: m } = await reader.collect();
    const orders = { 'messaging.destination.name': 'memory://orders' };
    expect(total(m, 'messaging.client.sent.messages', orders), 'client → orders').to.equal(3);
    expect(total(m, 'messaging.client.sent.messages', { 'messaging.destination.name': 'memory://billing' })).to.equal(1);
    expect(total(m, 'messaging.client.sent.messages', { 'messaging.destination.name': 'memory://shipping' })).to.equal(1);
    // orders received A-1, its duplicate, and 'bad' twice (the first attempt and its retry)
    expect(total(m, 'messaging.client.consumed.messages', orders)).to.equal(4);
    expect(total(m, 'messaging.client.consumed.messages', { ...orders, 'oncebus.idempotence.outcome': 'completed' })).to.equal(1);
    expect(total(m, 'messaging.client.consumed.messages', { ...orders, 'error.type': 'Error' })).to.equal(2);
    expect(total(m, 'messaging.process.duration', orders)).to.equal(4);
    expect(total(m, 'messaging.process.duration', { 'messaging.destination.name': 'memory://billing' })).to.equal(1);
    expect(total(m, 'oncebus.duplicates.skipped', { ...orders, 'oncebus.reason': 'completed' })).to.equal(1);
    expect(total(m, 'oncebus.claim.wait', orders)).to.equal(4);
    expect(total(m, 'oncebus.flush.lag', orders), 'the publish to two subscribers: two stored sends').to.equal(2);
    expect(total(m, 'oncebus.retries', orders)).to.equal(1);
    expect(total(m, 'oncebus.error_queue.moves', orders)).to.equal(1);
    const depth = m.scopeMetrics.flatMap((sm) => sm.metrics).filter((x) => x.descriptor.name === 'oncebus.queue.depth');
    const ordersDepth = depth.flatMap((x) => x.dataPoints as { attributes: Attributes; value: unknown }[]).filter((p) => p.attributes['messaging.destination.name'] === 'memory://orders');
    expect(ordersDepth.map((p) => p.value), 'the inbox is counted, and empty').to.deep.equal([0]);
  });
});
