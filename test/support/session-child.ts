// A child "web" process for the transactional-session tests: a send-only endpoint on a SQL store whose
// sessions write an order row and send PlaceOrder (to out://default/orders) and publish OrderAccepted (to
// out://default/billing and out://default/shipping), queues in *another* database, so the sends are stored
// and dispatched after commit. SESSION_CONFIG (JSON) configures it; FAULT names a fault point
// (pipeline:event:kill), SLOW_DISPATCH_MS slows each dispatch. Mode 'send' runs ORDERS sessions and exits; mode 'sweep' starts (its sweeper runs
// at once) and prints 'ready', then 'swept <sessionId>' for each session it dispatches, until SIGTERM.
import 'reflect-metadata';
import { Container } from 'inversify';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { addOncebus, createSilentLogger, type IServiceBus, type ITransactionalSession, TYPES } from '../../src/index.js';
import type { IOncebusModule } from '../../src/extending.js';
import type { PostgresTransaction } from '../../src/stores/postgres/index.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { MemorySubscriptionService } from '../../src/subscriptions/memory-subscription-service.js';
import { SessionOrderAccepted, SessionPlaceOrder } from './session-messages.js';
import { openTwoDatabases, type TwoDatabases } from './two-databases.js';

export interface SessionChildConfig extends TwoDatabases {
  mode: 'send' | 'sweep';
  /** Orders to place in 'send' mode, each in its own session, ids `${prefix}-${i}`. */
  orders?: number;
  prefix?: string;
}

const cfg = JSON.parse(process.env.SESSION_CONFIG ?? '{}') as SessionChildConfig;
const { main, out } = openTwoDatabases(cfg);

const subscriptions = new MemorySubscriptionService();
await subscriptions.subscribe(['session.OrderAccepted'], 'out://default/billing');
await subscriptions.subscribe(['session.OrderAccepted'], 'out://default/shipping');

const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(main.queues);
container.bind(TYPES.QueueFactory).toConstantValue(out.queues);
container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(main.idempotence({ flushLeaseMs: 1000 }));
container.bind(TYPES.SubscriptionService).toConstantValue(subscriptions);
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
const fault = FaultInjectionModule.fromSpec(process.env.FAULT);
if (fault) container.bind(TYPES.Module).toConstantValue(fault);
// SLOW_DISPATCH_MS: each send waits this long before it goes out, so sweeps of several processes overlap.
const slow = Number(process.env.SLOW_DISPATCH_MS ?? 0);
if (slow > 0) {
  const slowly: IOncebusModule = {
    register(pipelines) {
      pipelines.flush.addObserver({ event: 'onBeforeDispatchDeferredMessage', name: 'slow dispatch', execute: () => new Promise((r) => setTimeout(r, slow)) });
    },
  };
  container.bind(TYPES.Module).toConstantValue(slowly);
}
addOncebus(container, {
  name: 'web',
  routes: [{ uri: 'out://default/orders', specifications: [{ types: [SessionPlaceOrder] }] }],
  // A process that places orders leaves the sweeping to the others (a fault point would fire in its sweep).
  sessionSweepInterval: cfg.mode === 'send' ? 0 : '200ms',
  stopTimeout: '5s',
});
const bus = container.get<IServiceBus>(TYPES.ServiceBus);

/** One order: its row and its messages in one transaction. */
export async function placeOrder(session: ITransactionalSession<PostgresTransaction | SqliteTransaction>, orderId: string): Promise<void> {
  if (cfg.kind === 'postgres') {
    await (session.transaction as PostgresTransaction).query(`INSERT INTO ${cfg.schema}.orders (order_id, session_id) VALUES ($1, $2)`, [orderId, session.id]);
  } else {
    (session.transaction as SqliteTransaction).prepare('INSERT INTO orders (order_id, session_id) VALUES (?, ?)').run(orderId, session.id);
  }
  await session.send(new SessionPlaceOrder(orderId));
  await session.publish(new SessionOrderAccepted(orderId));
}

process.on('SIGTERM', () => {
  bus
    .stop()
    .then(() => Promise.all([main.close(), out.close()]))
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
});

await bus.start();
if (cfg.mode === 'send') {
  for (let i = 0; i < (cfg.orders ?? 1); i++) {
    await bus.withTransaction((session: ITransactionalSession<PostgresTransaction | SqliteTransaction>) => placeOrder(session, `${cfg.prefix ?? 'order'}-${i}`));
  }
  process.stdout.write('sent\n');
  await bus.stop();
  await Promise.all([main.close(), out.close()]);
  process.exit(0);
}
// Which sessions this process's sweeper dispatched (the tests check that sweeps overlapped).
bus.events.on('sessionDispatched', (sessionId: string, by: string) => {
  if (by === 'sweeper') process.stdout.write(`swept ${sessionId}\n`);
});
process.stdout.write('ready\n');
