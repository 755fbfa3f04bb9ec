import { expect } from 'chai';
import { ConfigurationError } from '../../src/errors/errors.js';
import { parseRabbitMqUri } from '../../src/transports/rabbitmq/index.js';

describe('rabbitmq:// URIs', () => {
  const table: [string, Partial<ReturnType<typeof parseRabbitMqUri>>][] = [
    ['rabbitmq://localhost/orders', { brokerUrl: 'amqp://guest:guest@localhost/%2F?heartbeat=30', queue: 'orders', prefetch: 20, durable: true, maxPriority: 0, tls: false }],
    ['rabbitmq://u:p%40ss@h:5673/sales/orders?prefetch=50&priority=10&heartbeat=10', { brokerUrl: 'amqp://u:p%40ss@h:5673/sales?heartbeat=10', safeBrokerUrl: 'amqp://u:***@h:5673/sales?heartbeat=10', queue: 'orders', prefetch: 50, maxPriority: 10 }],
    ['rabbitmqs://h/orders', { brokerUrl: 'amqps://guest:guest@h/%2F?heartbeat=30', tls: true }],
    ['rabbitmq://h/orders?durable=false&tls=true', { durable: false, tls: true }],
  ];
  for (const [uri, expected] of table) {
    it(`parses ${uri}`, () => expect(parseRabbitMqUri(uri)).to.deep.include(expected));
  }

  for (const bad of ['rabbitmq://h', 'rabbitmq://h/a/b/c', 'rabbitmq://h/q?prefetch=lots', 'rabbitmq://h/q?durable=maybe', 'amqp://h/q']) {
    it(`rejects ${bad} with a ConfigurationError`, () => expect(() => parseRabbitMqUri(bad)).to.throw(ConfigurationError));
  }
});
