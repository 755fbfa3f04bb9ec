// The HTTP crash harness's API process: Fastify with one keyed route (oncebus/http/fastify) on a send-only
// bus over PostgreSQL. POST /orders inserts an order row (a fresh order id) and sends PlaceOrder in the
// route's session; the response (201, the order id in the body and in Location) is stored with the key in
// that transaction. The harness SIGKILLs it at random (and, with FAULT, inside the session's dispatch after
// a commit, over RabbitMQ) and starts it again on the same port. Prints `listening` when it serves.
import 'reflect-metadata';
import Fastify from 'fastify';
import { Container } from 'inversify';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { FaultInjectionModule } from '../../../src/faults/fault-injection-module.js';
import { idempotentRoute } from '../../../src/http/fastify/index.js';
import { addOncebus, createSilentLogger, type IServiceBus, TYPES } from '../../../src/index.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { childConfig, httpChaosQueues, ordersQueue, PlaceOrder } from './http-chaos-config.js';

const cfg = childConfig();
const port = Number(process.env.PORT);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const store = new PostgresStore({ connectionString: cfg.pgUrl, schema: cfg.schema, poolSize: 6, connectTimeoutMs: 2000 });

const queues = httpChaosQueues(cfg, store.queues);
const c = new Container();
c.bind(TYPES.QueueFactory).toConstantValue(queues.factory);
c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ flushLeaseMs: 2000 }));
c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
const fault = FaultInjectionModule.fromSpec(process.env.FAULT);
if (fault) c.bind(TYPES.Module).toConstantValue(fault);
addOncebus(c, { name: 'api', routes: [{ uri: ordersQueue(cfg), specifications: [{ types: [PlaceOrder] }] }], sessionSweepInterval: '500ms', stopTimeout: '5s' });
const bus = c.get<IServiceBus>(TYPES.ServiceBus);
for (let attempt = 1; !bus.started; attempt++) {
  try {
    await bus.start();
  } catch (error) {
    if (attempt >= 60) throw error;
    await sleep(500);
  }
}

const app = Fastify();
app.post<{ Body: { item: string } }>(
  '/orders',
  idempotentRoute<{ Body: { item: string } }>(bus, { required: true, leaseMs: cfg.leaseMs }, async (request, session) => {
    const key = String(request.headers['idempotency-key']);
    const orderId = randomUUID();
    await (session.transaction as pg.PoolClient).query(`INSERT INTO ${cfg.schema}.orders (order_id, key, session_id) VALUES ($1, $2, $3)`, [orderId, key, session.id]);
    await session.send(new PlaceOrder(key, orderId));
    // A little work in the transaction, so kills land inside routes too.
    await sleep(Math.floor(Math.random() * 15));
    return { status: 201, body: { orderId, item: request.body.item }, headers: { location: `/orders/${orderId}` } };
  }),
);
await app.listen({ host: '127.0.0.1', port });
process.stdout.write('listening\n');
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => bus.stop())
    .then(() => queues.close())
    .then(() => store.close())
    .finally(() => process.exit(0));
});
