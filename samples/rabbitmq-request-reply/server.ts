// The quote server: receives RequestQuote over RabbitMQ and replies, idempotent on PostgreSQL (each quote
// is recorded in the same transaction as the idempotence bookkeeping; the reply goes out after commit).
import 'reflect-metadata';
import { Container } from 'inversify';
import type pg from 'pg';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { PG, QuoteGiven, queue, RequestQuote } from './messages.js';

const store = new PostgresStore({ connectionString: PG, schema: 'quote_server' });

@handlesMessage(RequestQuote)
class RequestQuoteHandler implements IMessageHandler<RequestQuote, pg.PoolClient> {
  async handle(ctx: IHandlerContext<RequestQuote, pg.PoolClient>): Promise<void> {
    const price = ctx.message.quantity * 3;
    await ctx.transaction.query('INSERT INTO quote_server.quotes (message_id, sku, price) VALUES ($1, $2, $3)', [
      ctx.transportMessage.messageId,
      ctx.message.sku,
      price,
    ]);
    await ctx.reply(new QuoteGiven(ctx.message.sku, price));
  }
}

const rabbit = new RabbitMqQueueFactory();
const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(rabbit);
container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
addOncebus(container, {
  inbox: { workQueueUri: queue('quote-server'), errorQueueUri: queue('quote-server-error'), deferredQueueUri: queue('quote-server-deferred') },
  handlers: [RequestQuoteHandler],
  idempotence: true,
});
const bus = container.get<IServiceBus>(TYPES.ServiceBus);

await store.store.ready();
await store.database.execute('CREATE TABLE IF NOT EXISTS quote_server.quotes (message_id text NOT NULL, sku text NOT NULL, price integer NOT NULL)');
await bus.start();
process.stdout.write('server ready\n');
process.on('SIGTERM', () => {
  void bus
    .stop()
    .then(() => rabbit.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});
