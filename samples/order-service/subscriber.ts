// A subscriber of the order service's events: e-mails the customer once per OrderPlaced (here: a row in
// emails, in the message's own transaction, so a redelivered event sends nothing twice). It subscribes at
// start (SQL subscriptions in the service's PostgreSQL schema). Run under runEndpoint.
//   node dist/samples/order-service/subscriber.js   (PROBE_PORT, PG_URL, RABBITMQ_URL: see settings.ts)
import 'reflect-metadata';
import { addOncebus, handlesMessage, type IHandlerContext, type IMessageHandler } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import type { PostgresTransaction } from '../../src/stores/postgres/index.js';
import { OrderPlaced } from './messages.js';
import { createTables, orderServiceContainer, PROBE_PORT, queue, SCHEMA } from './settings.js';

@handlesMessage(OrderPlaced)
class EmailCustomer implements IMessageHandler<OrderPlaced, PostgresTransaction> {
  async handle(ctx: IHandlerContext<OrderPlaced, PostgresTransaction>): Promise<void> {
    await ctx.transaction.query(`INSERT INTO ${SCHEMA}.emails (order_id, message_id) VALUES ($1, $2)`, [ctx.message.orderId, ctx.transportMessage.messageId]);
  }
}

const { container, store } = orderServiceContainer();
addOncebus(container, {
  name: 'order-emails',
  inbox: { workQueueUri: queue('emails'), errorQueueUri: queue('emails-error'), deferredQueueUri: queue('emails-deferred'), threadCount: 4 },
  handlers: [EmailCustomer],
  subscriptions: [OrderPlaced],
  idempotence: true,
});
const host = await runEndpoint(container, { http: { port: PROBE_PORT }, beforeStart: () => createTables(store), afterStop: () => store.close() });
console.log(`order-emails: ready, probes on port ${host.probeAddress?.port}`);
