import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, type IServiceBus, TYPES } from '../../src/index.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import { MemorySubscriptionService } from '../../src/subscriptions/memory-subscription-service.js';
import { TracingModule } from '../../src/telemetry/index.js';
import type { IQueueFactory } from '../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { requireService } from '../support/integration.js';
import { waitForEvents } from '../support/latch.js';
import { deleteQueues, rabbitAvailable, rabbitUri } from '../support/rabbitmq.js';
import { openSqliteStore } from '../support/sql-subjects.js';
import { installTracingGlobals, removeTracingGlobals } from '../support/tracing-globals.js';
import { OrderPlaced, PlaceOrder, PlaceOrderHandler, Recorder } from './telemetry-messages.js';


interface Transport {
  readonly name: string;
  available(): Promise<boolean>;
  open(): { queues: IQueueFactory; idempotence: IIdempotenceServiceFactory; uri(queue: string): string; close(): Promise<void> };
}

const prefix = `otel-${randomUUID().slice(0, 6)}`;
const transports: Transport[] = [
  {
    name: 'a SQL queue (sqlite://, idempotence in the same file)',
    available: async () => true,
    open() {
      const store = openSqliteStore();
      return { queues: store.queues, idempotence: store.idempotence(), uri: (q) => `sqlite://default/${q}`, close: () => store.dispose() };
    },
  },
  {
    name: 'RabbitMQ (real broker, memory idempotence)',
    available: rabbitAvailable,
    open() {
      const rabbit = new RabbitMqQueueFactory();
      const names = ['orders', 'billing', 'shipping'].flatMap((n) => [`${prefix}-${n}`, `${prefix}-${n}-error`]);
      return {
        queues: rabbit,
        idempotence: new MemoryIdempotenceStore(),
        uri: (q) => rabbitUri(`${prefix}-${q}`),
        close: async () => {
          await rabbit.close();
          await deleteQueues(names).catch(() => undefined);
        },
      };
    },
  },
];

describe('telemetry: one trace across endpoints over real transports', function () {
  this.timeout(60_000);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  before(() => {
    installTracingGlobals();
  });
  after(() => {
    removeTracingGlobals();
  });

  for (const transport of transports) {
    it(`send → handle → publish → two subscribers handle is one trace over ${transport.name}`, async function () {
      requireService(this, transport.name, await transport.available());
      exporter.reset();
      const t = transport.open();
      const subscriptions = new MemorySubscriptionService();
      const buses: IServiceBus[] = [];
      const endpoint = (name: string, options: object): IServiceBus => {
        const c = new Container();
        c.bind(TYPES.QueueFactory).toConstantValue(t.queues);
        c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(t.idempotence);
        c.bind(TYPES.SubscriptionService).toConstantValue(subscriptions);
        c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
        c.bind(TYPES.Module).toConstantValue(new TracingModule({ tracer: provider.getTracer('oncebus-test') }));
        addOncebus(c, { name, ...options });
        const bus = c.get<IServiceBus>(TYPES.ServiceBus);
        buses.push(bus);
        return bus;
      };
      const inbox = (q: string) => ({ workQueueUri: t.uri(q), errorQueueUri: t.uri(`${q}-error`), durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['5ms', '20ms'] });
      try {
        endpoint('orders', { inbox: inbox('orders'), handlers: [PlaceOrderHandler], idempotence: true });
        const billing = endpoint('billing', { inbox: inbox('billing'), handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] });
        const shipping = endpoint('shipping', { inbox: inbox('shipping'), handlers: [Recorder], idempotence: true, subscriptions: [OrderPlaced] });
        const client = endpoint('client', { routes: [{ uri: t.uri('orders'), specifications: [{ types: [PlaceOrder] }] }] });
        for (const bus of buses) await bus.start();
        const handled = Promise.all([waitForEvents(billing.events, 'messageHandled'), waitForEvents(shipping.events, 'messageHandled')]);
        await client.send(new PlaceOrder('X-1'));
        await handled;
        await new Promise((r) => setTimeout(r, 50)); // the last consumer spans end as their pipelines do

        const spans = exporter.getFinishedSpans();
        const byName = (n: string) => spans.filter((s) => s.name === n);
        const [send] = byName('send telemetry.PlaceOrder');
        const [process] = byName('process telemetry.PlaceOrder');
        const [publish] = byName('publish telemetry.OrderPlaced');
        const subscribers = byName('process telemetry.OrderPlaced');
        expect(subscribers, spans.map((s) => s.name).join(', ')).to.have.length(2);
        expect(new Set(spans.map((s) => s.spanContext().traceId)).size, 'one trace').to.equal(1);
        expect(process!.parentSpanContext?.spanId).to.equal(send!.spanContext().spanId);
        expect(publish!.parentSpanContext?.spanId).to.equal(process!.spanContext().spanId);
        for (const s of subscribers) expect(s.parentSpanContext?.spanId).to.equal(publish!.spanContext().spanId);
        expect(process!.attributes['messaging.system']).to.equal(t.uri('orders').split(':')[0]);
      } finally {
        for (const bus of buses) await bus.stop().catch(() => undefined);
        await t.close();
      }
    });
  }
});
