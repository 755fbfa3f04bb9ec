import Fastify, { type FastifyInstance } from 'fastify';
import type { IServiceBus, ITransactionalSession } from '../../src/index.js';
import { drizzleOnSqlite } from '../../src/orm/drizzle.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { InvoiceOrder } from './messages.js';
import { orders } from './tables.js';

/**
 * The web process's API: POST /orders writes the order's row and sends InvoiceOrder in one transaction
 * (bus.withTransaction). A bad order throws inside it: nothing is written and nothing is sent.
 */
export function webApi(bus: IServiceBus): FastifyInstance {
  const app = Fastify();
  app.post<{ Body: { orderId?: string; amount?: number } }>('/orders', async (request, reply) => {
    const { orderId, amount } = request.body ?? {};
    if (typeof orderId !== 'string' || typeof amount !== 'number') return reply.code(400).send({ error: 'orderId (string) and amount (number) are required' });
    try {
      const sessionId = await bus.withTransaction(async (session: ITransactionalSession<SqliteTransaction>) => {
        drizzleOnSqlite(session.transaction).insert(orders).values({ orderId, amount }).run();
        await session.send(new InvoiceOrder(orderId, amount));
        // A rule checked after the write and the send: breaking it rolls both back.
        if (amount <= 0) throw new RangeError(`amount must be positive (got ${amount})`);
        return session.id;
      });
      return reply.code(201).send({ orderId, sessionId });
    } catch (error) {
      return reply.code(400).send({ error: (error as Error).message });
    }
  });
  return app;
}
