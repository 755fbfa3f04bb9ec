// The order service's worker: takes PlaceOrder from RabbitMQ, writes the acceptance in the message's own
// PostgreSQL transaction (idempotence with group commit: once, however often it is delivered) and
// publishes OrderPlaced to the subscribers. Run under runEndpoint: SIGTERM stops taking messages, lets
// those in hand finish (or releases them), then exits 0.
//   node dist/samples/order-service/worker.js   (PROBE_PORT, PG_URL, RABBITMQ_URL: see settings.ts)
import 'reflect-metadata';
import { addOncebus, handlesMessage, type IHandlerContext, type IMessageHandler } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import type { PostgresTransaction } from '../../src/stores/postgres/index.js';
import { OrderPlaced, PlaceOrder } from './messages.js';
import { createTables, orderServiceContainer, PROBE_PORT, queue, SCHEMA } from './settings.js';

/** Some work per order (WORK_MS, default 20 ms), that gives up when the stop runs out of time. */
const WORK_MS = Number(process.env.WORK_MS ?? 20);

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder, PostgresTransaction> {
  async handle(ctx: IHandlerContext<PlaceOrder, PostgresTransaction>): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WORK_MS);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    ctx.signal.throwIfAborted();
    await ctx.transaction.query(`INSERT INTO ${SCHEMA}.acceptances (order_id, message_id) VALUES ($1, $2)`, [ctx.message.orderId, ctx.transportMessage.messageId]);
    await ctx.publish(new OrderPlaced(ctx.message.orderId));
  }
}

const { container, store } = orderServiceContainer();
addOncebus(container, {
  name: 'order-worker',
  inbox: { workQueueUri: queue('worker'), errorQueueUri: queue('worker-error'), deferredQueueUri: queue('worker-deferred'), threadCount: 8 },
  handlers: [PlaceOrderHandler],
  idempotence: true,
  stopTimeout: '10s',
});
const host = await runEndpoint(container, { http: { port: PROBE_PORT }, beforeStart: () => createTables(store), afterStop: () => store.close() });
console.log(`order-worker: ready, probes on port ${host.probeAddress?.port}`);
