import { expect } from 'chai';
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TYPES } from '../../src/di/tokens.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { TracingModule } from '../../src/telemetry/index.js';
import { TestHarness } from '../../src/testing/index.js';
import { OrderPlaced, PlaceOrder, PlaceOrderHandler } from './telemetry-messages.js';

/** The traceparent each OrderPlaced arrived with, by order. */
const arrived = new Map<string, string | undefined>();

@handlesMessage(OrderPlaced)
class TraceparentRecorder implements IMessageHandler<OrderPlaced> {
  handle(ctx: IHandlerContext<OrderPlaced>): void {
    arrived.set(ctx.message.orderId, ctx.transportMessage.headers.traceparent);
  }
}

// Without an SDK every span is a no-op, and TracingModule keeps no books on a message that brings no trace
// context (the API-only path's cost). One that brings one still passes it on to what its handler sends.
describe('telemetry: TracingModule with the API only (no SDK registered), W3C propagation on', () => {
  const harness = new TestHarness();
  const withTracing = (c: import('inversify').Container) => c.bind(TYPES.Module).toConstantValue(new TracingModule());

  before(async () => {
    trace.disable(); // no tracer provider: the API's no-op tracer
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true }, withTracing);
    harness.endpoint('billing', { handlers: [TraceparentRecorder], idempotence: true, subscriptions: [OrderPlaced] }, withTracing);
    await harness.start();
  });
  after(async () => {
    await harness.stop();
    propagation.disable();
  });

  it('passes an incoming trace context on to the handler’s sends, and adds none to a message that brought none', async () => {
    const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await client.start();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await client.send(new PlaceOrder('traced'), { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    await client.send(new PlaceOrder('untraced'));
    await harness.settled();
    // No SDK makes no spans: the trace context goes through unchanged (the no-op spans carry the caller's ids).
    expect(arrived.get('traced'), 'the same trace context, passed through').to.equal(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(arrived.has('untraced')).to.equal(true);
    expect(arrived.get('untraced'), 'nothing invented').to.equal(undefined);
    await client.stop();
  });
});
