// The quote server: receives RequestQuote over RabbitMQ and replies, idempotent on PostgreSQL (each quote
// is recorded in the same transaction as the idempotence bookkeeping; the reply goes out after commit).
import 'reflect-metadata';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, TYPES } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { PG, queue } from './messages.js';
import { RequestQuoteHandler } from './quote-handler.js';

const store = new PostgresStore({ connectionString: PG, schema: 'quote_server' });

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

// runEndpoint starts it and, on SIGTERM, stops it gracefully, closes the connections and exits 0.
await runEndpoint(container, {
  beforeStart: async () => {
    await store.store.ready();
    await store.database.execute('CREATE TABLE IF NOT EXISTS quote_server.quotes (message_id text NOT NULL, sku text NOT NULL, price integer NOT NULL)');
  },
  afterStop: async () => {
    await rabbit.close();
    await store.close();
  },
});
process.stdout.write('server ready\n');
