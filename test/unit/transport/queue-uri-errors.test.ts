import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import { sqlQueueTable } from '../../../src/stores/sql/sql-queue-uri.js';
import { parseQueueUri, queueScheme } from '../../../src/transport/queue-uri.js';
import { QueueRegistry } from '../../../src/transport/queue-registry.js';
import { parseAzureServiceBusUri } from '../../../src/transports/azuresb/azuresb-uri.js';
import { MemoryBroker } from '../../../src/transports/memory/index.js';
import { parseRabbitMqUri, RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { TYPES } from '../../../src/di/tokens.js';

/** What `run` threw (it must throw). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.fail('it did not throw');
}

// A queue URI that is refused is still shown to say which one: never with its password.
describe('queue URIs refused: the error names the URI without its password', () => {
  const refused: [string, () => unknown][] = [
    ["a RabbitMQ queue named 'amq.…'", () => parseRabbitMqUri('rabbitmq://app:s3cret@broker/amq.orders')],
    ['a RabbitMQ parameter mistyped', () => parseRabbitMqUri('rabbitmq://app:s3cret@broker/orders?prefech=5')],
    ['a URI without a scheme', () => queueScheme('app:s3cret@broker/orders')],
    ['a URI that does not parse', () => parseQueueUri('rabbitmq://app:s3cret@[broker/orders')],
    ['a scheme no factory serves', () => new QueueRegistry([new MemoryBroker()]).check('rabbit://app:s3cret@broker/orders', 'inbox.workQueueUri')],
    ['a SQL queue URI naming another store', () => sqlQueueTable('postgres://app:s3cret@db/orders', 'postgres', 'main')],
  ];
  for (const [what, run] of refused) {
    it(what, () => {
      const error = thrown(run);
      expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_CONFIGURATION');
      expect(String(error)).to.contain('app:***@').and.not.contain('s3cret');
    });
  }

  it("start() of an endpoint whose RabbitMQ inbox is an 'amq.' queue fails without the password", async () => {
    const world = new MemoryWorld();
    const rabbit = new RabbitMqQueueFactory();
    const { bus } = world.endpoint('cfg-amq', { inbox: { workQueueUri: 'rabbitmq://app:s3cret@127.0.0.1/amq.orders', errorQueueUri: 'memory://cfg-amq-error' } }, [], (c) =>
      c.bind(TYPES.QueueFactory).toConstantValue(rabbit),
    );
    const error = await bus.start().then(() => null, (e: unknown) => e);
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_CONFIGURATION');
    expect(String(error)).to.contain("reserved").and.not.contain('s3cret');
    await rabbit.close();
  });
});

describe('queue URIs with a malformed percent-escape: a ConfigurationError, not a bare URIError', () => {
  const malformed: [string, () => unknown][] = [
    ['a RabbitMQ queue', () => parseRabbitMqUri('rabbitmq://broker/%ZZ')],
    ['a RabbitMQ user', () => parseRabbitMqUri('rabbitmq://a%ZZ:pw@broker/orders')],
    ['a SQL queue', () => sqlQueueTable('sqlite://default/%ZZ', 'sqlite', 'default')],
    ['an Azure Service Bus queue', () => parseAzureServiceBusUri('azuresb://ns/%ZZ')],
  ];
  for (const [what, run] of malformed) {
    it(what, () => {
      const error = thrown(run);
      expect(OncebusError.is(error) && error.code, String(error)).to.equal('ONCEBUS_CONFIGURATION');
      expect(String(error)).to.contain('%25');
    });
  }
});
