// The quickstart demo: three endpoints in one process, no servers. Run with `npm start`.
import 'reflect-metadata';
import { once } from 'node:events';
import { Container } from 'inversify';
import {
  addOncebus,
  createSilentLogger,
  type EndpointOptions,
  type IServiceBus,
  MemoryBroker,
  MemoryIdempotenceStore,
  MemorySubscriptionService,
  serializeTransportMessage,
  TYPES,
} from '../../src/index.js';
import { BillingHandler, PlaceOrderHandler, WarehouseHandler } from './handlers.js';
import { OrderPlaced, PlaceOrder } from './messages.js';
import { Narrator } from './narrator.js';

const narrator = new Narrator();
PlaceOrderHandler.narrator = BillingHandler.narrator = WarehouseHandler.narrator = narrator;

const broker = new MemoryBroker();
const idempotence = new MemoryIdempotenceStore();
const subscriptions = new MemorySubscriptionService();

function endpoint(name: string, options: Partial<EndpointOptions>): IServiceBus {
  const container = new Container();
  container.bind(TYPES.QueueFactory).toConstantValue(broker);
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence);
  container.bind(TYPES.SubscriptionService).toConstantValue(subscriptions);
  container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(container, {
    ...options,
    inbox: {
      workQueueUri: `memory://${name}`,
      errorQueueUri: `memory://${name}-error`,
      deferredQueueUri: `memory://${name}-deferred`,
      threadCount: 2,
      maximumFailureCount: 3,
      durationToIgnoreOnFailure: ['100ms', '200ms'],
      durationToSleepWhenIdle: ['10ms', '50ms'],
    },
  });
  return container.get<IServiceBus>(TYPES.ServiceBus);
}

const sales = endpoint('sales', { handlers: [PlaceOrderHandler], idempotence: true });
const billing = endpoint('billing', { handlers: [BillingHandler], subscriptions: [OrderPlaced] });
const warehouse = endpoint('warehouse', { handlers: [WarehouseHandler], subscriptions: [OrderPlaced] });

sales.events.on('messageRetried', (tm, error) =>
  narrator.say('sales', `attempt ${tm.failureMessages.length} failed (${(error as Error).message}); retry after a back-off via the deferred queue`),
);
sales.events.on('messageSentToErrorQueue', (tm, reason) =>
  narrator.say('sales', `gave up on ${tm.messageType} ${tm.messageId.slice(0, 8)}: error queue (${reason}); ${tm.failureMessages.length} failures recorded`),
);
sales.events.on('messageIgnored', (tm) =>
  narrator.say('sales', `a redelivered copy of ${tm.messageId.slice(0, 8)} arrived: already completed, so acknowledged without running the handler`),
);

async function main(): Promise<void> {
  await Promise.all([billing.start(), warehouse.start()]);
  await sales.start();
  narrator.heading('1. A send, a handler, and a publish to two subscribers');
  const handled = once(sales.events, 'messageHandled');
  const billed = once(billing.events, 'messageHandled');
  const reserved = once(warehouse.events, 'messageHandled');
  const order = await sales.send(new PlaceOrder('A-100', 25), { local: true });
  narrator.say('client', `sent PlaceOrder A-100 as message ${order.messageId.slice(0, 8)}`);
  await handled;
  narrator.say('sales', 'committed the order and then flushed OrderPlaced (held back until the commit)');
  await Promise.all([billed, reserved]);

  narrator.heading('2. The broker redelivers the same message: idempotence drops it');
  const ignored = once(sales.events, 'messageIgnored');
  await broker.create('memory://sales').enqueue(order, serializeTransportMessage(order));
  await ignored;
  narrator.say('sales', `orders recorded: ${JSON.stringify(PlaceOrderHandler.orders)} (once, not twice)`);

  narrator.heading('3. A handler that keeps failing: retries, then the error queue');
  const failed = once(sales.events, 'messageSentToErrorQueue');
  await sales.send(new PlaceOrder('B-200', -1), { local: true });
  await failed;
  const errorQueue = broker.stateOf('memory://sales-error').ready.length;
  narrator.say('sales', `the error queue holds ${errorQueue} message; nothing was lost, nothing ran twice`);

  await Promise.all([sales.stop(), billing.stop(), warehouse.stop()]);
  console.log('\nAll endpoints stopped gracefully.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
