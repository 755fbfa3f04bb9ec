import { expect } from 'chai';
import { type Context, type Span, type SpanOptions, trace, type Tracer } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, type Sampler, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TYPES } from '../../src/di/tokens.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { TracingModule } from '../../src/telemetry/index.js';
import { TestHarness } from '../../src/testing/index.js';
import { installTracingGlobals, removeTracingGlobals } from '../support/tracing-globals.js';
import { OrderPlaced, PlaceOrder, PlaceOrderHandler } from './telemetry-messages.js';

/** The traceparent each OrderPlaced arrived with, by order. */
const arrived = new Map<string, string | undefined>();

@handlesMessage(OrderPlaced)
class TraceparentRecorder implements IMessageHandler<OrderPlaced> {
  handle(ctx: IHandlerContext<OrderPlaced>): void {
    arrived.set(ctx.message.orderId, ctx.transportMessage.headers.traceparent);
  }
}

/** What TracingModule asked of a tracer: the spans it started, and every attribute or event it gave one. */
interface TracerLog {
  readonly started: { name: string; span: Span }[];
  /** Calls of setAttribute / setAttributes / addEvent, and startSpan options carrying attributes. */
  attributeWork: number;
}

/** A tracer that hands out the SDK's spans, counting what is built for them (the spans themselves unchanged). */
function countingTracer(inner: Tracer): { tracer: Tracer; log: TracerLog } {
  const log: TracerLog = { started: [], attributeWork: 0 };
  const counted = new Set<PropertyKey>(['setAttribute', 'setAttributes', 'addEvent']);
  const tracer = {
    startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
      if (options?.attributes) log.attributeWork++;
      const span = inner.startSpan(name, options, ctx);
      log.started.push({ name, span });
      return new Proxy(span, {
        get(target, property) {
          if (counted.has(property)) log.attributeWork++;
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    startActiveSpan: inner.startActiveSpan.bind(inner),
  } as Tracer;
  return { tracer, log };
}

// Sampling is honoured before any attribute is built: a span the sampler drops gets its context passed on
// (the next hop sees the trace and the decision) and nothing else.
describe('telemetry: TracingModule under a sampler that drops every span', () => {
  before(() => {
    installTracingGlobals();
  });
  after(() => {
    removeTracingGlobals();
  });

  /** Runs send → handle → publish → handle through endpoints traced by a tracer under this sampler. */
  async function run(sampler: Sampler, orderId: string): Promise<{ log: TracerLog; exported: number }> {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { tracer, log } = countingTracer(provider.getTracer('oncebus-test'));
    const withTracing = (c: import('inversify').Container) => c.bind(TYPES.Module).toConstantValue(new TracingModule({ tracer, handlerSpans: true }));
    const harness = new TestHarness();
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true }, withTracing);
    harness.endpoint('billing', { handlers: [TraceparentRecorder], idempotence: true, subscriptions: [OrderPlaced] }, withTracing);
    const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    await harness.start();
    await client.send(new PlaceOrder(orderId));
    await harness.settled();
    await harness.stop();
    const exported = exporter.getFinishedSpans().length; // read before shutdown, which empties the exporter
    await provider.shutdown();
    return { log, exported };
  }

  it('builds no attribute and exports no span, yet passes the (unsampled) trace context on to what the handler sends', async () => {
    const { log, exported } = await run(new AlwaysOffSampler(), 'dropped');
    expect(exported, 'no span recorded').to.equal(0);
    expect(log.attributeWork, 'no attribute or event built for a span the sampler dropped').to.equal(0);
    const process = log.started.find((s) => s.name === 'process telemetry.PlaceOrder');
    const publish = log.started.find((s) => s.name === 'publish telemetry.OrderPlaced');
    expect(process && publish, log.started.map((s) => s.name).join(', ')).to.not.equal(undefined);
    expect(log.started.filter((s) => s.name.startsWith('handle ')), 'no handler span under a dropped consumer span').to.deep.equal([]);
    const { traceId } = process!.span.spanContext();
    const { spanId } = publish!.span.spanContext();
    expect(arrived.get('dropped'), "the publish's context, flagged not sampled, in the consumer's trace").to.equal(`00-${traceId}-${spanId}-00`);
  });

  it('the control: the same run sampled records the spans and builds their attributes', async () => {
    const { log, exported } = await run(new AlwaysOnSampler(), 'kept');
    expect(exported).to.be.greaterThan(3);
    expect(log.attributeWork).to.be.greaterThan(0);
    const publish = log.started.find((s) => s.name === 'publish telemetry.OrderPlaced')!;
    const { traceId, spanId } = publish.span.spanContext();
    expect(arrived.get('kept')).to.equal(`00-${traceId}-${spanId}-01`);
  });
});

describe('telemetry: with the API only, a message without trace context costs no span work', () => {
  it('starts the no-op span and declines: the handler runs with no active span, and its sends carry no trace context', async () => {
    trace.disable();
    installTracingGlobals();
    const { tracer, log } = countingTracer(trace.getTracer('oncebus'));
    const withTracing = (c: import('inversify').Container) => c.bind(TYPES.Module).toConstantValue(new TracingModule({ tracer, handlerSpans: true }));
    const harness = new TestHarness();
    harness.endpoint('orders', { handlers: [PlaceOrderHandler], idempotence: true }, withTracing);
    harness.endpoint('billing', { handlers: [TraceparentRecorder], idempotence: true, subscriptions: [OrderPlaced] }, withTracing);
    const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] }, withTracing);
    try {
      await harness.start();
      await client.send(new PlaceOrder('api-only'));
      await harness.settled();
    } finally {
      await harness.stop();
      removeTracingGlobals();
    }
    expect(log.attributeWork).to.equal(0);
    // The consumer steps declined, so no handler span was started under them.
    expect(log.started.map((s) => s.name).filter((n) => n.startsWith('handle '))).to.deep.equal([]);
    expect(arrived.has('api-only')).to.equal(true);
    expect(arrived.get('api-only')).to.equal(undefined);
  });
});
