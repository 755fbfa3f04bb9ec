// The order service's HTTP API (a send-only endpoint): POST /orders writes the order's row and sends
// PlaceOrder to the worker in ONE transaction (bus.withTransaction): both happen, or neither. Run under
// runEndpoint: SIGTERM closes the API first, then stops the bus; /readyz turns 503 as the stop begins.
//   node dist/samples/order-service/api.js   (API_PORT, PROBE_PORT, PG_URL, RABBITMQ_URL: see settings.ts)
import 'reflect-metadata';
import Fastify from 'fastify';
import { addOncebus, type IServiceBus, type ITransactionalSession, TYPES } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import type { PostgresTransaction } from '../../src/stores/postgres/index.js';
import { PlaceOrder } from './messages.js';
import { createTables, orderServiceContainer, PROBE_PORT, queue, SCHEMA } from './settings.js';

const { container, store } = orderServiceContainer();
addOncebus(container, { name: 'order-api', routes: [{ uri: queue('worker'), specifications: [{ types: [PlaceOrder] }] }] });
const bus = container.get<IServiceBus>(TYPES.ServiceBus);

const api = Fastify();
api.post<{ Body: { orderId?: unknown; amount?: unknown } }>('/orders', async (request, reply) => {
  const { orderId, amount } = request.body ?? {};
  if (typeof orderId !== 'string' || !/^[\w-]{1,64}$/.test(orderId) || !Number.isInteger(amount)) {
    return reply.code(400).send({ error: 'orderId (1-64 letters, digits, - or _) and amount (an integer) are required' });
  }
  await bus.withTransaction(async (session: ITransactionalSession<PostgresTransaction>) => {
    await session.transaction.query(`INSERT INTO ${SCHEMA}.orders (order_id, amount) VALUES ($1, $2)`, [orderId, amount]);
    await session.send(new PlaceOrder(orderId, amount as number));
  });
  return reply.code(201).send({ orderId });
});

const host = await runEndpoint(container, {
  http: { port: PROBE_PORT },
  beforeStart: () => createTables(store),
  afterStart: async () => {
    const address = await api.listen({ host: '127.0.0.1', port: Number(process.env.API_PORT ?? 0) });
    console.log(`order-api: listening on ${address}`);
  },
  // No request may send on a stopping bus: the API closes first (in-flight requests finish).
  beforeStop: () => api.close(),
  afterStop: () => store.close(),
});
console.log(`order-api: ready, probes on port ${host.probeAddress?.port}`);
