import type { Channel, Options } from 'amqplib';
import { TransportError } from '../../errors/errors.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { BrokerUnavailableError, QueueMismatchError } from './rabbitmq-errors.js';
import type { RabbitMqAddress } from './rabbitmq-uri.js';

// AMQP reply codes the broker closes a channel with.
const PRECONDITION_FAILED = 406;
const ACCESS_REFUSED = 403;
const RESOURCE_LOCKED = 405;
const NOT_FOUND = 404;

/** The arguments a declaration asks for; part of the "declared" key so other arguments reach the broker. */
const declareKey = (a: RabbitMqAddress): string => `${a.queue}\u0000${a.durable}\u0000${a.maxPriority}\u0000${a.queueType}`;

/**
 * Declares the queue on `channel` (durable unless the URI says otherwise, x-max-priority when asked,
 * x-queue-type for a quorum queue — a classic one is declared without it, as before queue types). The
 * declaration is idempotent on the broker, so it is the `setup` step run on every new consumer channel
 * and before the first send of each connection generation.
 */
export async function assertQueue(channel: Channel, address: RabbitMqAddress, queueUri: string): Promise<void> {
  const options: Options.AssertQueue = { durable: address.durable };
  if (address.maxPriority > 0) options.arguments = { 'x-max-priority': address.maxPriority };
  // No x-delivery-limit: a quorum queue drops (or dead-letters) a message past it, and oncebus counts
  // failures itself (docs/rabbitmq.md, "Quorum queues").
  if (address.queueType === 'quorum') options.arguments = { 'x-queue-type': 'quorum' };
  try {
    await channel.assertQueue(address.queue, options);
  } catch (error) {
    throw declarationError(error, address.queue, queueUri);
  }
}

/** Declares the queue once per connection generation, on a channel of its own (a 406 closes only that one). */
export async function ensureQueue(connection: RabbitMqConnection, address: RabbitMqAddress, queueUri: string, deadline: number): Promise<void> {
  const key = declareKey(address);
  const { generation } = await connection.get(deadline);
  if (connection.isDeclared(key, generation)) return;
  await connection.withChannel((channel) => assertQueue(channel, address, queueUri), deadline);
  connection.markDeclared(key, generation);
}

/** After a delete, or a publish the broker returned: declare again before the next send. */
export function forgetQueue(connection: RabbitMqConnection, address: RabbitMqAddress): void {
  connection.forgetDeclared(`${address.queue}\u0000`);
}

/** Maps a failed declaration to a typed error; only a lost connection is worth retrying. */
export function declarationError(error: unknown, queue: string, queueUri: string): Error {
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : String(error);
  if (code === PRECONDITION_FAILED) {
    // "PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue 'q' in vhost '/': received …"
    const argument = /inequivalent arg '([^']+)'/.exec(text)?.[1] ?? '';
    return new QueueMismatchError(queue, argument, text, { queueUri, cause: error });
  }
  if (code === ACCESS_REFUSED || code === RESOURCE_LOCKED) {
    return new TransportError(`the broker refused queue '${queue}': ${text}`, {
      queueUri,
      cause: error,
      hint: 'check the user permissions on the vhost, and that no exclusive queue has this name',
    });
  }
  if (error instanceof BrokerUnavailableError || error instanceof TransportError) return error;
  return new BrokerUnavailableError('lost', `declaring queue '${queue}' failed: ${text}`, { queueUri, cause: error });
}

/** The "declared" key of an exchange: apart from queue keys, so forgetting a queue never forgets an exchange. */
const exchangeKey = (exchange: string): string => `\u0001exchange\u0000${exchange}`;

/** Declares the durable fanout exchange `exchange` once per connection generation (idempotent on the broker). */
export async function ensureExchange(connection: RabbitMqConnection, exchange: string, uri: string, deadline: number): Promise<void> {
  const key = exchangeKey(exchange);
  const { generation } = await connection.get(deadline);
  if (connection.isDeclared(key, generation)) return;
  await connection.withChannel(async (channel) => {
    try {
      await channel.assertExchange(exchange, 'fanout', { durable: true });
    } catch (error) {
      throw declarationError(error, exchange, uri);
    }
  }, deadline);
  connection.markDeclared(key, generation);
}

/** After the broker said the exchange is gone (deleted by hand): declare it again before the next publish. */
export function forgetExchange(connection: RabbitMqConnection, exchange: string): void {
  connection.forgetDeclared(exchangeKey(exchange));
}

/**
 * Binds the queue `address` names to `exchange` (declaring both first: a binding needs them, and the
 * declarations are idempotent). From the broker's answer on, every publish to the exchange reaches the queue.
 */
export async function bindQueue(connection: RabbitMqConnection, address: RabbitMqAddress, exchange: string, queueUri: string, deadline: number): Promise<void> {
  await ensureQueue(connection, address, queueUri, deadline);
  await ensureExchange(connection, exchange, queueUri, deadline);
  await connection.withChannel(async (channel) => {
    try {
      await channel.bindQueue(address.queue, exchange, '');
    } catch (error) {
      throw declarationError(error, address.queue, queueUri);
    }
  }, deadline);
}

/** Removes the queue's binding to `exchange`; a binding, queue or exchange that is not there is no error. */
export async function unbindQueue(connection: RabbitMqConnection, address: RabbitMqAddress, exchange: string, queueUri: string, deadline: number): Promise<void> {
  await connection.withChannel(async (channel) => {
    try {
      await channel.unbindQueue(address.queue, exchange, '');
    } catch (error) {
      if ((error as { code?: unknown }).code === NOT_FOUND) return;
      throw declarationError(error, address.queue, queueUri);
    }
  }, deadline);
}
