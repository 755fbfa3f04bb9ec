import { Container } from 'inversify';
import { ConfigurationError, createDefaultLogger, TYPES } from '../../src/index.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';

// What the three processes share: where PostgreSQL and RabbitMQ are, and the names of things. All from the
// environment, with defaults for the services of `bash scripts/services.sh start`.
const env = process.env;
const rabbit = new URL(env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');

/** PostgreSQL schema for oncebus's tables and the service's own (ORDER_SERVICE_SCHEMA): spliced into SQL, so checked. */
export const SCHEMA = env.ORDER_SERVICE_SCHEMA ?? 'order_service';
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA)) throw new ConfigurationError('ORDER_SERVICE_SCHEMA', `'${SCHEMA}' is not a plain schema name`, { hint: 'use lower-case letters, digits and _' });
/** Prefix of the RabbitMQ queue names (ORDER_SERVICE_QUEUES): the worker's inbox is `<prefix>-worker`. */
const PREFIX = env.ORDER_SERVICE_QUEUES ?? 'order-service';
/** Port of the process's /healthz and /readyz (PROBE_PORT; 0 = any free one, printed at start). */
export const PROBE_PORT = Number(env.PROBE_PORT ?? 0);

/** A queue on the broker; credentials stay in the factory's options, out of URIs and logs. */
export const queue = (name: string): string => `rabbitmq://${rabbit.host}/${PREFIX}-${name}`;

/**
 * One process's container: RabbitMQ for the messages, PostgreSQL for idempotence (group commit), the
 * transactional sessions and the subscriptions. Returns the store too: the process's own tables live in it.
 */
export function orderServiceContainer(): { container: Container; store: PostgresStore } {
  const store = new PostgresStore({ connectionString: env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus', schema: SCHEMA });
  const container = new Container();
  const broker = new RabbitMqQueueFactory({ username: decodeURIComponent(rabbit.username), password: decodeURIComponent(rabbit.password) });
  container.bind(TYPES.QueueFactory).toConstantValue(broker);
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ groupCommit: true }));
  // Subscriptions as rows in the service's schema (publishers read them): bound, this store is the pub/sub
  // mechanism; left out, RabbitMQ endpoints would publish through fanout exchanges instead. Every process of
  // the service must use the same one.
  container.bind(TYPES.SubscriptionService).toConstantValue(store.subscriptions);
  container.bind(TYPES.Logger).toConstantValue(createDefaultLogger());
  return { container, store };
}

/** The service's own tables, beside oncebus's: one row per order, per acceptance, per e-mail sent. */
export async function createTables(store: PostgresStore): Promise<void> {
  const s = SCHEMA;
  await store.database.pool.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await store.database.pool.query(`CREATE TABLE IF NOT EXISTS ${s}.orders (order_id TEXT PRIMARY KEY, amount INTEGER NOT NULL)`);
  // No unique keys on purpose: a message handled twice would show as two rows.
  await store.database.pool.query(`CREATE TABLE IF NOT EXISTS ${s}.acceptances (order_id TEXT NOT NULL, message_id TEXT NOT NULL)`);
  await store.database.pool.query(`CREATE TABLE IF NOT EXISTS ${s}.emails (order_id TEXT NOT NULL, message_id TEXT NOT NULL)`);
}
