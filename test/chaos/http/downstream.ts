// The HTTP crash harness's downstream endpoint: handles PlaceOrder from its queue (RabbitMQ or a table) with
// idempotence on (a redelivered or re-dispatched copy of one messageId is handled once) and writes one effect
// row per command in the handler's transaction. SIGKILLed and restarted by the harness. Prints `ready`.
import 'reflect-metadata';
import { Container } from 'inversify';
import type pg from 'pg';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../../src/index.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { childConfig, httpChaosQueues, ordersQueue, PlaceOrder } from './http-chaos-config.js';

const cfg = childConfig();
const store = new PostgresStore({ connectionString: cfg.pgUrl, schema: cfg.schema, poolSize: 8, connectTimeoutMs: 2000 });

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder, unknown> {
  async handle(ctx: IHandlerContext<PlaceOrder, unknown>): Promise<void> {
    await (ctx.transaction as pg.PoolClient).query(`INSERT INTO ${cfg.schema}.effects (key, order_id, message_id) VALUES ($1, $2, $3)`, [
      ctx.message.key,
      ctx.message.orderId,
      ctx.transportMessage.messageId,
    ]);
  }
}

const queues = httpChaosQueues(cfg, store.queues);
const c = new Container();
c.bind(TYPES.QueueFactory).toConstantValue(queues.factory);
c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ flushLeaseMs: 2000 }));
c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
addOncebus(c, {
  name: 'downstream',
  handlers: [PlaceOrderHandler],
  idempotence: true,
  stopTimeout: '5s',
  inbox: {
    workQueueUri: cfg.transport === 'postgres' ? `${ordersQueue(cfg)}?batch=8` : ordersQueue(cfg),
    errorQueueUri: ordersQueue(cfg, 'place-order-error'),
    ...(cfg.transport === 'rabbitmq' ? { deferredQueueUri: ordersQueue(cfg, 'place-order-deferred') } : {}),
    threadCount: 4,
    durationToIgnoreOnFailure: ['100ms'],
    durationToSleepWhenIdle: ['10ms', '50ms', '200ms'],
  },
});
const bus = c.get<IServiceBus>(TYPES.ServiceBus);
for (let attempt = 1; !bus.started; attempt++) {
  try {
    await bus.start();
  } catch (error) {
    if (attempt >= 60) throw error;
    await new Promise((r) => setTimeout(r, 500));
  }
}
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void bus
    .stop()
    .then(() => queues.close())
    .then(() => store.close())
    .finally(() => process.exit(0));
});
