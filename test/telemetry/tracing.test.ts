import { expect } from 'chai';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TYPES } from '../../src/di/tokens.js';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { TracingModule, withTraceContext } from '../../src/telemetry/index.js';
import { TestHarness } from '../../src/testing/index.js';
import { installTracingGlobals, removeTracingGlobals } from '../support/tracing-globals.js';
import { handlerLog, OrderPlaced, PlaceOrder, PlaceOrderHandler, Recorder } from './telemetry-messages.js';


describe('telemetry: OpenTelemetry traces (TracingModule) with the SDK’s in-memory exporter', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const harness = new TestHarness();
  const withTracing = (c: import('inversify').Container) => c.bind(TYPES.Module).toConstantValue(new TracingModule({ tracer: provider.getTracer('oncebus-test') }));

  before(async () => {
    installTracingGlobals();
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true, inbox: { maximumFailureCount: 1 } }, withTracing);
    harness.endpoint('billing', { handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] }, withTracing);
    harness.endpoint('shipping', { handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] }, withTracing);
    await harness.start();
  });
  after(async () => {
    await harness.stop();
    removeTracingGlobals();
  });
  beforeEach(() => exporter.reset());

  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((s) => s.name === name);
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

  it('send → handle → publish → two subscribers handle is one trace, each span the child of the one before', async () => {
    const client = harness.endpoint(`client-${Date.now()}`, { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await client.start();
    await client.send(new PlaceOrder('A-1'));
    await harness.settled();

    const [send] = named('send telemetry.PlaceOrder');
    const [process] = named('process telemetry.PlaceOrder');
    const [publish] = named('publish telemetry.OrderPlaced');
    const handled = named('process telemetry.OrderPlaced');
    expect([send, process, publish].every(Boolean), spans().map((s) => s.name).join(', ')).to.equal(true);
    expect(handled).to.have.length(2);
    const traceIds = new Set(spans().map((s) => s.spanContext().traceId));
    expect(traceIds.size, 'one trace').to.equal(1);
    expect(parentOf(process!)).to.equal(send!.spanContext().spanId);
    expect(parentOf(publish!)).to.equal(process!.spanContext().spanId);
    for (const s of handled) expect(parentOf(s)).to.equal(publish!.spanContext().spanId);
    expect(handled.map((s) => s.attributes['messaging.destination.name'])).to.have.members(['memory://billing', 'memory://shipping']);
    expect(process!.attributes).to.include({
      'messaging.system': 'memory',
      'messaging.operation.type': 'process',
      'oncebus.message.type': 'telemetry.PlaceOrder',
      'oncebus.idempotence.outcome': 'new',
    });
    expect(publish!.attributes).to.include({ 'oncebus.send.stored': true, 'messaging.operation.name': 'publish' });
    expect(publish!.attributes['oncebus.recipients']).to.have.members(['memory://billing', 'memory://shipping']);
    await client.stop();
  });

  it('one span per received message by default: no handler span', async () => {
    const client = harness.endpoint(`one-${Date.now()}`, { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await client.start();
    await client.send(new PlaceOrder('O-1'));
    await harness.settled();
    expect(named('process telemetry.PlaceOrder')).to.have.length(1);
    expect(spans().filter((s) => s.name.startsWith('handle ')).map((s) => s.name)).to.deep.equal([]);
    const [process] = named('process telemetry.PlaceOrder');
    expect(parentOf(named('publish telemetry.OrderPlaced')[0]!), "the handler's sends are the consumer span's children").to.equal(process!.spanContext().spanId);
    await client.stop();
  });

  it('handlerSpans: a span per handler run, the consumer span its parent and the parent of what it sends; its failure recorded', async () => {
    const withHandlerSpans = (c: import('inversify').Container) => c.bind(TYPES.Module).toConstantValue(new TracingModule({ tracer: provider.getTracer('oncebus-test'), handlerSpans: true }));
    const opted = new TestHarness();
    opted.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true, inbox: { maximumFailureCount: 1 } }, withHandlerSpans);
    opted.endpoint('billing', { handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] }, withHandlerSpans);
    const client = opted.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withHandlerSpans);
    await opted.start();
    await client.send(new PlaceOrder('H-1'));
    await client.send(new PlaceOrder('bad'));
    await opted.settled();
    await opted.stop();
    const handled = named('handle telemetry.PlaceOrder');
    const processed = named('process telemetry.PlaceOrder');
    expect(handled).to.have.length(2);
    expect(named('handle telemetry.OrderPlaced')).to.have.length(1);
    const [good, bad] = [handled.find((s) => s.status.code !== 2)!, handled.find((s) => s.status.code === 2)!];
    expect(good.kind).to.equal(0); // SpanKind.INTERNAL
    expect(processed.map((s) => s.spanContext().spanId)).to.include(parentOf(good));
    expect(parentOf(named('publish telemetry.OrderPlaced')[0]!)).to.equal(good.spanContext().spanId);
    expect(bad.events.map((e) => e.name)).to.include('exception');
  });

  it("what a handler logs carries its message's trace_id and span_id (withTraceContext)", async () => {
    const lines: Record<string, unknown>[] = [];
    const record = (_message: string, meta?: Record<string, unknown>) => void lines.push(meta ?? {});
    handlerLog.current = withTraceContext({ debug: record, info: record, warn: record, error: record, isDebugEnabled: () => true });
    const client = harness.endpoint(`log-${Date.now()}`, { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await client.start();
    await client.send(new PlaceOrder('L-1'));
    await harness.settled();
    handlerLog.current = null;
    const [process] = named('process telemetry.PlaceOrder');
    expect(lines).to.deep.equal([{ orderId: 'L-1', trace_id: process!.spanContext().traceId, span_id: process!.spanContext().spanId }]);
    withTraceContext({ debug: record, info: record, warn: record, error: record, isDebugEnabled: () => true }).info('outside any span', { x: 1 });
    expect(lines.at(-1), 'no span, no ids').to.deep.equal({ x: 1 });
    await client.stop();
  });

  it('a duplicate copy shows its idempotence outcome: completed, the handler skipped', async () => {
    const client = harness.endpoint(`dup-${Date.now()}`, { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await client.start();
    await client.send(new PlaceOrder('B-1'), { messageId: 'order-B-1' });
    await harness.settled();
    await client.send(new PlaceOrder('B-1'), { messageId: 'order-B-1' });
    await harness.settled();
    const outcomes = named('process telemetry.PlaceOrder').map((s) => s.attributes['oncebus.idempotence.outcome']);
    expect(outcomes).to.deep.equal(['new', 'completed']);
    await client.stop();
  });

  it('a crash between commit and flush: the redelivered copy shows the flushed-only outcome, and its sends arrive in the trace', async () => {
    const crashing = new TestHarness();
    const crashAfterCommit = (c: import('inversify').Container) => {
      withTracing(c);
      c.bind(TYPES.Module).toConstantValue(new FaultInjectionModule([{ pipeline: 'inbox', event: 'onAfterCommitUnitOfWork', action: 'throw' }]));
    };
    crashing.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true }, crashAfterCommit);
    crashing.endpoint('billing', { handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] }, withTracing);
    const client = crashing.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await crashing.start();
    await client.send(new PlaceOrder('C-1'));
    await crashing.settled();
    await crashing.stop();
    const outcomes = named('process telemetry.PlaceOrder').map((s) => s.attributes['oncebus.idempotence.outcome']);
    expect(outcomes).to.deep.equal(['new', 'handled']);
    const [billed] = named('process telemetry.OrderPlaced');
    const [publish] = named('publish telemetry.OrderPlaced');
    expect(parentOf(billed!), 'the flushed copy carries the original producer context').to.equal(publish!.spanContext().spanId);
    expect(new Set(spans().map((s) => s.spanContext().traceId)).size).to.equal(1);
  });

  it('a failing handler records the error on its span, and the move to the error queue as an event', async () => {
    const client = harness.endpoint(`bad-${Date.now()}`, { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await client.start();
    await client.send(new PlaceOrder('bad'));
    await harness.settled();
    const [failed] = named('process telemetry.PlaceOrder');
    expect(failed!.status.code).to.equal(2); // SpanStatusCode.ERROR
    expect(failed!.events.map((e) => e.name)).to.include.members(['exception', 'oncebus.moved_to_error_queue']);
    await client.stop();
  });

  it('a retried message carries the retry as an event on its span', async () => {
    const retrying = new TestHarness();
    retrying.endpoint('orders', { handlers: [PlaceOrderHandler], inbox: { maximumFailureCount: 2, durationToIgnoreOnFailure: ['0ms'] } }, withTracing);
    const client = retrying.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await retrying.start();
    await client.send(new PlaceOrder('bad'));
    await retrying.settled();
    await retrying.stop();
    const [first, second] = named('process telemetry.PlaceOrder');
    expect(first!.events.find((e) => e.name === 'oncebus.retry_scheduled')?.attributes).to.deep.equal({ 'oncebus.attempt': 1 });
    expect(second!.events.map((e) => e.name)).to.include('oncebus.moved_to_error_queue');
  });

  it('names a destination by its address: a password in a route URI never reaches a span', async () => {
    const client = harness.endpoint(`secret-${Date.now()}`, { inbox: undefined, routes: [{ uri: 'memory://app:s3cret@orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await client.start();
    await client.send(new PlaceOrder('A-2'));
    await harness.settled();
    const [send] = named('send telemetry.PlaceOrder');
    expect(send!.attributes['messaging.destination.name']).to.equal('memory://orders');
    expect(JSON.stringify(spans().map((s) => s.attributes))).not.to.contain('s3cret');
    await client.stop();
  });

  it("what oncebus logs about a failed message carries that message's trace_id and span_id", async () => {
    const lines: { message: string; meta: Record<string, unknown> }[] = [];
    const record = (message: string, meta?: Record<string, unknown>) => void lines.push({ message, meta: meta ?? {} });
    const logged = new TestHarness(withTraceContext({ debug: record, info: record, warn: record, error: record, isDebugEnabled: () => false }));
    logged.endpoint('orders', { handlers: [PlaceOrderHandler], inbox: { maximumFailureCount: 2 } }, withTracing);
    const client = logged.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await logged.start();
    await client.send(new PlaceOrder('bad'));
    await logged.settled();
    await logged.stop();
    const attempts = named('process telemetry.PlaceOrder');
    expect(attempts).to.have.length(2);
    const retry = lines.find((l) => l.message === 'handler failed; retry scheduled');
    const moved = lines.find((l) => l.message === 'message moved to the error queue');
    expect(retry?.meta).to.include({ trace_id: attempts[0]!.spanContext().traceId, span_id: attempts[0]!.spanContext().spanId });
    expect(moved?.meta).to.include({ trace_id: attempts[1]!.spanContext().traceId, span_id: attempts[1]!.spanContext().spanId });
  });
});
