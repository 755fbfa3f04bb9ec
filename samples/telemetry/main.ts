// Traces and metrics to the console (npm run sample:telemetry): an order sent to a sales endpoint that
// publishes to billing, over the memory transport, with the OpenTelemetry SDK printing every span and, at the
// end, the metrics. To send them to a collector instead, swap the console exporters for OTLP ones
// (@opentelemetry/exporter-trace-otlp-http, @opentelemetry/exporter-metrics-otlp-http) or use
// @opentelemetry/sdk-node, which reads OTEL_EXPORTER_OTLP_ENDPOINT.
import 'reflect-metadata';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Container } from 'inversify';
import { handlesMessage, type IHandlerContext, messageType, TYPES } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import { MetricsModule, TracingModule } from '../../src/telemetry/index.js';
import { TestHarness } from '../../src/testing/index.js';

// The SDK: what an application sets up once, before its endpoints start.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }));
const reader = new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(meterProvider);

@messageType('shop.PlaceOrder')
class PlaceOrder {
  constructor(public orderId = '') {}
}
@messageType('shop.OrderPlaced')
class OrderPlaced {
  constructor(public orderId = '') {}
}
@handlesMessage(PlaceOrder)
class PlaceOrderHandler {
  async handle(ctx: IHandlerContext<PlaceOrder>) {
    await ctx.publish(new OrderPlaced(ctx.message.orderId));
  }
}
@handlesMessage(OrderPlaced)
class BillingHandler {
  handle() {}
}

// Each endpoint adds the two modules (the harness builds them in one process on the memory transport).
const containers: Container[] = [];
const instrument = (c: Container) => {
  c.bind(TYPES.Module).toConstantValue(new TracingModule());
  c.bind(TYPES.Module).toConstantValue(new MetricsModule());
  containers.push(c);
};
const harness = new TestHarness();
const sales = harness.endpoint('sales', { handlers: [PlaceOrderHandler], idempotence: true }, instrument);
harness.endpoint('billing', { handlers: [BillingHandler], idempotence: true, subscriptions: [OrderPlaced] }, instrument);
// runEndpoint starts both (Ctrl-C would stop them gracefully); the harness tells when all is handled.
const host = await runEndpoint(containers);
await sales.send(new PlaceOrder('A-1'), { local: true });
await harness.settled();
await host.stop();
await meterProvider.forceFlush();
await meterProvider.shutdown();
