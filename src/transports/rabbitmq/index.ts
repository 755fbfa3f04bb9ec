export { RabbitMqQueueFactory, createRabbitMqTlsFactory } from './rabbitmq-queue-factory.js';
export { RabbitMqQueue } from './rabbitmq-queue.js';
export { RabbitMqExchange } from './rabbitmq-exchange.js';
export { RabbitMqSubscriptions, type BrokerConnections } from './rabbitmq-subscriptions.js';
export { exchangeNameFor } from './rabbitmq-exchange-name.js';
export { RabbitMqConnection, type RabbitMqConnectionEvents, type RabbitMqConnectionOptions } from './rabbitmq-connection.js';
export { parseRabbitMqUri, type RabbitMqAddress, type RabbitMqQueueType } from './rabbitmq-uri.js';
export {
  BrokerAccessRefusedError,
  BrokerUnavailableError,
  DeliveryAlreadySettledError,
  PublishRejectedError,
  QueueMismatchError,
  StaleDeliveryError,
} from './rabbitmq-errors.js';
export type { QueueErrorOptions } from './rabbitmq-errors.js';
export type { PublishOutcome, RabbitMqPublisher } from './rabbitmq-publisher.js';
export type { LiveConnection } from './rabbitmq-connection.js';
