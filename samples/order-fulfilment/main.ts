// The order-fulfilment saga demo (npm run sample:sagas): one SQLite file, no servers. A saga per order waits
// for its payment and its stock, ships once it has both, and cancels the order when the payment is late.
// `-- --crash` kills the process (SIGKILL) half-way through an order; run it again and the saga carries
// on from its stored state. Read fulfilment-saga.ts (the saga) alongside.
import 'reflect-metadata';
import { resolve } from 'node:path';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, type EndpointOptions, type IServiceBus, type MessageClass, messageTypeNameOf, parseDuration, type SendOptions, TYPES } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import { SagaModule } from '../../src/sagas/index.js';
import { CrashAfterCommit } from './crash-point.js';
import { defineOrderFulfilment, PAYMENT_TIMEOUT_DEFAULT } from './fulfilment-saga.js';
import { CancelOrder, OrderPlaced, PaymentReceived, ReleaseStock, ShipOrder, StockReserved } from './messages.js';
import { Narrator } from './narrator.js';
import { audit, openShopDatabase } from './shop-database.js';
import { CancelOrderHandler, ReleaseStockHandler, ShipOrderHandler } from './shop-handlers.js';

const HELP = `oncebus saga demo: an order-fulfilment saga over one SQLite file, no servers.

  npm run sample:sagas                               orders shipped, one cancelled by its payment timeout,
                                                     duplicates that change nothing
  npm run sample:sagas -- --crash                    the same, then the process kills itself (SIGKILL) half-way
                                                     through an order; run it again to see the saga carry on
  npm run sample:sagas -- --payment-timeout <time>   how long an order may stay unpaid (default in this demo: 3s,
                                                     so that the story ends; the saga's own default is ${PAYMENT_TIMEOUT_DEFAULT})
  npm run sample:sagas -- --fresh                    start from an empty database

The database is .data/order-fulfilment.db (or ONCEBUS_SAGA_DEMO_DB).`;

const argv = process.argv.slice(2);
const timeoutAt = argv.indexOf('--payment-timeout');
const paymentTimeout = timeoutAt >= 0 ? (argv[timeoutAt + 1] ?? '') : '3s';
const flags = new Set(timeoutAt >= 0 ? argv.filter((_, i) => i !== timeoutAt && i !== timeoutAt + 1) : argv);
const invalid = [...flags].filter((a) => !['--crash', '--fresh', '--help', '-h'].includes(a));
let paymentTimeoutMs = Number.NaN;
try {
  paymentTimeoutMs = parseDuration(paymentTimeout, '--payment-timeout');
} catch (error) {
  invalid.push(`--payment-timeout ${paymentTimeout} (${(error as Error).message})`);
}
if (flags.has('--help') || flags.has('-h') || invalid.length > 0) {
  if (invalid.length > 0) console.error(`invalid option ${invalid.join(', ')}\n`);
  console.log(HELP);
  process.exit(invalid.length > 0 ? 2 : 0);
}

const narrator = new Narrator();
ShipOrderHandler.narrator = ReleaseStockHandler.narrator = CancelOrderHandler.narrator = narrator;
const saga = defineOrderFulfilment({ paymentTimeout, narrator });

const databaseFile = resolve(process.env.ONCEBUS_SAGA_DEMO_DB ?? '.data/order-fulfilment.db');
const store = openShopDatabase(databaseFile, flags.has('--fresh'));
const db = store.database.native;
const idempotence = store.idempotence();
const crash = new CrashAfterCommit();
console.log(`oncebus saga demo — database: ${databaseFile}; payment due ${paymentTimeout} after an order (--help for options)`);
console.log('Read samples/order-fulfilment/fulfilment-saga.ts (the saga) and main.ts (the endpoints) alongside.');

function endpoint(name: string, options: Partial<EndpointOptions>, configure?: (c: Container) => void): Container {
  const container = new Container();
  container.bind(TYPES.QueueFactory).toConstantValue(store.queues);
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence);
  container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  configure?.(container);
  addOncebus(container, {
    ...options,
    name,
    idempotence: true, // sagas need it: the saga's state commits in the message's unit of work
    inbox: {
      workQueueUri: `sqlite://default/${name}`,
      errorQueueUri: `sqlite://default/${name}-error`,
      threadCount: 2,
      // SQLite queues hold a message (a retry, a saga's timeout) back until it is due: no deferred queue.
      durationToIgnoreOnFailure: ['100ms', '200ms'],
      durationToSleepWhenIdle: ['10ms', '50ms', '100ms'],
    },
  });
  return container;
}

const containers = {
  warehouse: endpoint('warehouse', { handlers: [ShipOrderHandler, ReleaseStockHandler] }),
  sales: endpoint('sales', { handlers: [CancelOrderHandler] }),
  fulfilment: endpoint(
    'fulfilment',
    {
      handlers: [...saga.handlers],
      routes: [
        { uri: 'sqlite://default/warehouse', specifications: [{ types: [ShipOrder, ReleaseStock] }] },
        { uri: 'sqlite://default/sales', specifications: [{ types: [CancelOrder] }] },
      ],
    },
    (c) => {
      c.bind(TYPES.Module).toConstantValue(new SagaModule()); // loads and saves the instance around each saga handler
      c.bind(TYPES.Module).toConstantValue(crash);
    },
  ),
};
const [fulfilment, warehouse, sales] = [containers.fulfilment, containers.warehouse, containers.sales].map((c) => c.get<IServiceBus>(TYPES.ServiceBus)) as [IServiceBus, IServiceBus, IServiceBus];

// Random message ids shortened for reading; ids the demo chose itself are shown whole.
const shortId = (id: string) => (/^[0-9a-f]{8}-/.test(id) ? id.slice(0, 8) : id);
const shortType = (type: string) => type.replace(/^shop\./, '');
fulfilment.events.on('messageIgnored', (tm) =>
  narrator.say('fulfilment', `${shortType(tm.messageType)} ${tm.correlationId} (message ${shortId(tm.messageId)}) again: handled before, so acknowledged; the saga did not run`),
);
fulfilment.events.on('messageFlushed', (tm) =>
  narrator.say('fulfilment', `${shortType(tm.messageType)} ${tm.correlationId} came back: it had committed before the crash, so the saga did not run again (anything it still owed was sent now)`),
);
// Orders this run leaves unpaid on purpose: their PaymentDue runs the saga's timeout handler. Any other
// PaymentDue comes due after its payment (which cancelled it) or after its saga completed: it is dropped.
const neverPaid = new Set<string>();
fulfilment.events.on('messageHandled', (tm) => {
  if (tm.messageType === 'shop.PaymentDue' && !neverPaid.has(tm.correlationId)) {
    narrator.say('fulfilment', `PaymentDue ${tm.correlationId} came due: the payment had cancelled it, or the saga had completed; dropped`);
  }
});

/**
 * Resolves once `bus` handled (or skipped as a duplicate) a message of `type` for `orderId`; rejects if that
 * takes longer than any step of the story should (a failing handler: its message is retried, then moved to
 * the error queue), so the demo says so instead of waiting for ever.
 */
function processed(bus: IServiceBus, type: string, orderId: string, withinMs = paymentTimeoutMs + 30_000): Promise<void> {
  return new Promise((done, fail) => {
    const events = ['messageHandled', 'messageIgnored', 'messageFlushed'] as const;
    const stop = () => {
      clearTimeout(timer);
      for (const event of events) bus.events.off(event, listener);
    };
    const listener = (tm: { messageType: string; correlationId: string }) => {
      if (tm.messageType !== type || tm.correlationId !== orderId) return;
      stop();
      done();
    };
    const timer = setTimeout(() => {
      stop();
      fail(new Error(`${type} for ${orderId} was not handled within ${withinMs} ms: did its handler fail? see the error queue`));
    }, withinMs);
    for (const event of events) bus.events.on(event, listener);
  });
}

/** What the other services tell the fulfilment endpoint; the order id travels as every message's correlationId. */
async function tell(who: string, message: OrderPlaced | PaymentReceived | StockReserved, options: SendOptions = {}): Promise<void> {
  const type = messageTypeNameOf(message.constructor as MessageClass) ?? '';
  narrator.say(who, `${shortType(type)} ${message.orderId}${options.messageId ? ` (message ${shortId(options.messageId)})` : ''}`);
  if (message instanceof OrderPlaced) db.prepare('INSERT INTO placed (order_id) VALUES (?)').run(message.orderId);
  const done = processed(fulfilment, type, message.orderId);
  await fulfilment.send(message, { ...options, local: true, correlationId: message.orderId });
  await done;
}

async function carryOnInterrupted(): Promise<void> {
  const interrupted = db.prepare('SELECT order_id FROM interrupted').all() as { order_id: string }[];
  if (interrupted.length === 0) return;
  narrator.heading('0. A previous run was killed half-way through an order: its saga carries on from the store');
  for (const { order_id: orderId } of interrupted) {
    // The killed run took PaymentReceived and committed its unit of work, but never acknowledged it: the
    // queue gives it out again once its lease runs out (2 s here). Idempotence knows it was handled.
    narrator.say('demo', `the killed run's PaymentReceived ${orderId} is still queued, taken but never acknowledged; it comes back when its lease runs out`);
    await processed(fulfilment, 'shop.PaymentReceived', orderId, 15_000).catch(() => undefined); // not there: go on all the same
    const shipped = processed(warehouse, 'shop.ShipOrder', orderId);
    await tell('warehouse', new StockReserved(orderId));
    await shipped;
    db.prepare('DELETE FROM interrupted WHERE order_id = ?').run(orderId);
  }
}

async function main(): Promise<void> {
  const run = Date.now().toString(36).slice(-4).toUpperCase();
  // The three endpoints under one host: Ctrl-C stops them gracefully; a failed start prints why, exits 1.
  const host = await runEndpoint([containers.warehouse, containers.sales, containers.fulfilment]);
  await carryOnInterrupted();

  narrator.heading('1. Paid and reserved: the saga ships the order once');
  const a = `A-${run}`;
  const shippedA = processed(warehouse, 'shop.ShipOrder', a);
  await tell('sales', new OrderPlaced(a));
  await tell('payments', new PaymentReceived(a, 25));
  await tell('warehouse', new StockReserved(a));
  await shippedA;

  narrator.heading(`2. Reserved but never paid: PaymentDue comes after ${paymentTimeout} and cancels the order`);
  const b = `B-${run}`;
  neverPaid.add(b);
  const cancelledB = Promise.all([processed(sales, 'shop.CancelOrder', b), processed(warehouse, 'shop.ReleaseStock', b), processed(fulfilment, 'shop.PaymentDue', b)]);
  await tell('sales', new OrderPlaced(b));
  await tell('warehouse', new StockReserved(b));
  narrator.say('payments', `(nothing for ${b}: its PaymentDue waits in the queue, stored like any message)`);
  await cancelledB;

  narrator.heading('3. Duplicates: the payment provider confirms twice, and the queue delivers one copy again');
  const c = `C-${run}`;
  const paymentId = `payment-${c}`;
  const shippedC = processed(warehouse, 'shop.ShipOrder', c);
  await tell('sales', new OrderPlaced(c));
  await tell('payments', new PaymentReceived(c, 40), { messageId: paymentId });
  await tell('payments', new PaymentReceived(c, 40));
  await tell('payments', new PaymentReceived(c, 40), { messageId: paymentId });
  await tell('warehouse', new StockReserved(c));
  await shippedC;

  narrator.heading('4. A crash half-way through an order');
  const d = `D-${run}`;
  if (flags.has('--crash')) {
    await tell('sales', new OrderPlaced(d));
    db.prepare('INSERT INTO interrupted (order_id) VALUES (?)').run(d); // the next run sends its StockReserved
    narrator.say('demo', `--crash: this process kills itself (SIGKILL) right after PaymentReceived ${d} commits. The shell will`);
    narrator.say('demo', 'print "Killed": that is deliberate. Run `npm run sample:sagas` again to see the saga carry on.');
    crash.arm('shop.PaymentReceived', d);
    await tell('payments', new PaymentReceived(d, 60));
    throw new Error('unreachable: the process was to be killed after the payment committed');
  }
  narrator.say('demo', 'run `npm run sample:sagas -- --crash` to see one: the next run carries the saga on from the store');

  // The timeouts cancelled by a payment, or whose saga completed, still come due: they are dropped then.
  if (paymentTimeoutMs <= 30_000) {
    narrator.heading('5. The timeouts nobody needs any more come due');
    const deadline = Date.now() + paymentTimeoutMs + 15_000;
    while ((await fulfilment.countMessages()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }

  await host.stop();
  const result = audit(store);
  narrator.heading('Checked the database');
  narrator.say('audit', `${result.orders} order(s) over all runs: ${result.shipped} shipped, ${result.cancelled} cancelled; doubled or inconsistent: ${result.doubled.length}; left open: ${result.open.length}`);
  console.log(
    result.doubled.length === 0 && result.open.length === 0
      ? '\nEvery order shipped once or cancelled once. Try `npm run sample:sagas -- --crash`, then run it again.'
      : `\nSOMETHING WAS DOUBLED OR LEFT OPEN: this is a bug. ${JSON.stringify(result)}`,
  );
  await store.close();
  if (result.doubled.length > 0 || result.open.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
