// The quickstart demo: three endpoints in one process over one SQLite file, no servers. `npm start`.
// `npm start -- --crash` kills the process (SIGKILL) right after the first order commits; run `npm start`
// again to see the recovery: nothing lost, nothing doubled. `npm start -- --fresh` starts from an empty file.
import 'reflect-metadata';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, type EndpointOptions, type IServiceBus, TYPES } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import { serializeTransportMessage } from '../../src/extending.js';
import { FaultInjectionModule } from '../../src/testing/index.js';
import { BillingHandler, PlaceOrderHandler, WarehouseHandler } from './handlers.js';
import { OrderPlaced, PlaceOrder } from './messages.js';
import { Narrator } from './narrator.js';
import { audit, openShopDatabase } from './shop-database.js';

const args = new Set(process.argv.slice(2));
const HELP = `oncebus demo: three endpoints (sales, billing, warehouse) over one SQLite file, no servers.

  npm start                 run it: a send, a publish to two subscribers, a duplicate dropped, a retry
  npm start -- --crash      the same, but the process kills itself (SIGKILL) right after the first commit,
                            on purpose; then run \`npm start\` again and watch it recover
  npm start -- --fresh      start from an empty database
  npm start -- --help       this text

The database is .data/quickstart.db (or ONCEBUS_DEMO_DB). Read samples/quickstart/handlers.ts for the
handlers and samples/quickstart/main.ts for the endpoints.`;
const unknown = [...args].filter((a) => !['--crash', '--fresh', '--help', '-h'].includes(a));
if (args.has('--help') || args.has('-h') || unknown.length > 0) {
  if (unknown.length > 0) console.error(`unknown option ${unknown.join(', ')}\n`);
  console.log(HELP);
  process.exit(unknown.length > 0 ? 2 : 0);
}
const narrator = new Narrator();
PlaceOrderHandler.narrator = BillingHandler.narrator = WarehouseHandler.narrator = narrator;

const databaseFile = resolve(process.env.ONCEBUS_DEMO_DB ?? '.data/quickstart.db');
const store = openShopDatabase(databaseFile, args.has('--fresh'));
console.log(`oncebus demo — database: ${databaseFile} (npm start -- --help for options)`);
console.log('Read samples/quickstart/handlers.ts (the handlers) and main.ts (the endpoints) alongside.');
if (args.has('--crash')) {
  console.log('--crash: this process will kill itself (SIGKILL) right after the first order commits. That is');
  console.log('deliberate: the shell will print "Killed". Then run `npm start` and watch nothing get lost or doubled.');
}
const idempotence = store.idempotence();

function endpoint(name: string, options: Partial<EndpointOptions>, crash = false): Container {
  const container = new Container();
  container.bind(TYPES.QueueFactory).toConstantValue(store.queues);
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence);
  container.bind(TYPES.SubscriptionService).toConstantValue(store.subscriptions);
  container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  if (crash) container.bind(TYPES.Module).toConstantValue(new FaultInjectionModule([{ pipeline: 'inbox', event: 'onAfterCommitUnitOfWork', action: 'kill' }]));
  addOncebus(container, {
    ...options,
    idempotence: true,
    inbox: {
      workQueueUri: `sqlite://default/${name}`,
      errorQueueUri: `sqlite://default/${name}-error`,
      threadCount: 2,
      maximumFailureCount: 3,
      // SQLite queues hold a message back until its retry time by themselves: no deferred queue needed.
      durationToIgnoreOnFailure: ['100ms', '200ms'],
      durationToSleepWhenIdle: ['10ms', '50ms', '100ms'],
    },
  });
  return container;
}

const endpoints = {
  billing: endpoint('billing', { handlers: [BillingHandler], subscriptions: [OrderPlaced] }),
  warehouse: endpoint('warehouse', { handlers: [WarehouseHandler], subscriptions: [OrderPlaced] }),
  sales: endpoint('sales', { handlers: [PlaceOrderHandler] }, args.has('--crash')),
};
const [billing, warehouse, sales] = [endpoints.billing, endpoints.warehouse, endpoints.sales].map((c) => c.get<IServiceBus>(TYPES.ServiceBus)) as [IServiceBus, IServiceBus, IServiceBus];

sales.events.on('messageRetried', (tm, error) =>
  narrator.say('sales', `attempt ${tm.failureMessages.length} failed (${(error as Error).message}); the queue holds it back, then retries`),
);
sales.events.on('messageSentToErrorQueue', (tm, reason) =>
  narrator.say('sales', `gave up on ${tm.messageId.slice(0, 8)}: error queue (${reason}); ${tm.failureMessages.length} failures recorded`),
);
sales.events.on('messageIgnored', (tm) =>
  narrator.say('sales', `a redelivered copy of ${tm.messageId.slice(0, 8)} arrived: already completed, so acknowledged without running the handler`),
);
sales.events.on('messageFlushed', (tm) =>
  narrator.say('sales', `${tm.messageId.slice(0, 8)} was committed before a crash: handler skipped, its unsent messages flushed now`),
);

async function queued(name: string): Promise<number> {
  return (store.queues.create(`sqlite://default/${name}`) as unknown as { count(): Promise<number> }).count();
}

async function main(): Promise<void> {
  const run = Date.now().toString(36).slice(-4).toUpperCase();
  const leftover = (await queued('sales').catch(() => 0)) + (await queued('billing').catch(() => 0)) + (await queued('warehouse').catch(() => 0));
  if (leftover > 0) narrator.heading(`0. A previous run ended early: ${leftover} message(s) were still queued; handling them now`);
  // The three endpoints of this process under one host: the subscribers start first; Ctrl-C stops them
  // gracefully (sales first), a failed start prints why and exits 1.
  const host = await runEndpoint([endpoints.billing, endpoints.warehouse, endpoints.sales]);
  if (leftover > 0) {
    const deadline = Date.now() + 15_000;
    while ((await queued('sales')) + (await queued('billing')) + (await queued('warehouse')) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  narrator.heading('1. A send, a handler, and a publish to two subscribers');
  const handled = once(sales.events, 'messageHandled');
  const billed = once(billing.events, 'messageHandled');
  const reserved = once(warehouse.events, 'messageHandled');
  const order = await sales.send(new PlaceOrder(`A-${run}`, 25), { local: true });
  narrator.say('client', `sent PlaceOrder A-${run} as message ${order.messageId.slice(0, 8)}`);
  await handled;
  narrator.say('sales', 'the order and its OrderPlaced committed together: one SQLite transaction, queues included');
  await Promise.all([billed, reserved]);

  narrator.heading('2. The broker redelivers the same message: idempotence drops it');
  const ignored = once(sales.events, 'messageIgnored');
  await store.queues.create('sqlite://default/sales').enqueue(order, serializeTransportMessage(order));
  await ignored;

  narrator.heading('3. A handler that keeps failing: retries, then the error queue');
  const failed = once(sales.events, 'messageSentToErrorQueue');
  await sales.send(new PlaceOrder(`B-${run}`, -1), { local: true });
  await failed;

  await host.stop();
  const result = audit(store);
  narrator.heading('Checked the database');
  narrator.say('audit', `${result.orders} order(s) recorded over all runs; doubled: ${result.doubled.length}; missing invoice or reservation: ${result.missing.length}`);
  narrator.say('audit', `${await queued('sales-error')} message(s) in the error queue, kept with every failure recorded`);
  console.log(
    result.doubled.length === 0 && result.missing.length === 0
      ? '\nNothing lost, nothing doubled. Try `npm start -- --crash`, then `npm start` again.'
      : '\nSOMETHING WAS LOST OR DOUBLED: this is a bug.',
  );
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
