import Fastify, { type FastifyInstance } from 'fastify';
import { idempotentRoute } from '../../src/http/fastify/index.js';
import type { IServiceBus } from '../../src/index.js';
import { drizzleOnSqlite } from '../../src/orm/drizzle.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { InvoiceOrder } from './messages.js';
import { orders } from './tables.js';

type PostOrder = { Body: { orderId?: string; amount?: number } };

/**
 * The web process's API: POST /orders writes the order's row and sends InvoiceOrder in one transaction
 * (bus.withTransaction, through idempotentRoute), and stores its response in that same transaction under the
 * request's Idempotency-Key: a client retrying after a timeout gets the same response back and the order is
 * placed once. A bad order throws inside the transaction: nothing is written, nothing is sent, the key is freed.
 */
export function webApi(bus: IServiceBus): FastifyInstance {
  const app = Fastify();
  // The route's errors roll its transaction back; here they are the client's fault (a bad amount).
  app.setErrorHandler((error, _request, reply) => reply.code(400).send({ error: error instanceof Error ? error.message : String(error) }));
  app.post<PostOrder>(
    '/orders',
    idempotentRoute<PostOrder, SqliteTransaction>(bus, { required: true }, async (request, session) => {
      const { orderId, amount } = request.body ?? {};
      if (typeof orderId !== 'string' || typeof amount !== 'number') return { status: 400, body: { error: 'orderId (string) and amount (number) are required' } };
      drizzleOnSqlite(session.transaction).insert(orders).values({ orderId, amount }).run();
      await session.send(new InvoiceOrder(orderId, amount));
      // A rule checked after the write and the send: breaking it rolls both back.
      if (amount <= 0) throw new RangeError(`amount must be positive (got ${amount})`);
      return { status: 201, body: { orderId, sessionId: session.id } };
    }),
  );
  return app;
}
