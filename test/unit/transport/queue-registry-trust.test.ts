import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import { QueueRegistry } from '../../../src/transport/queue-registry.js';
import { MemoryBroker } from '../../../src/transports/memory/index.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';

// The rule behind "a reply never hands the broker credentials to a host the sender chose": a destination
// a message names must be on a connection the endpoint was configured for. No connection is made here:
// the factory's queue objects connect lazily.
describe('QueueRegistry: destinations a message names', () => {
  const codeOf = (run: () => void): string | undefined => {
    try {
      run();
      return undefined;
    } catch (error) {
      return OncebusError.is(error) ? error.code : String(error);
    }
  };

  it('allows a broker the endpoint was configured for (any queue, any vhost, any credentials), refuses another host or port', async () => {
    const factory = new RabbitMqQueueFactory({ username: 'app', password: 's3cret' });
    const queues = new QueueRegistry([factory]);
    queues.check('rabbitmq://broker.internal/orders', 'inbox.workQueueUri');
    expect(codeOf(() => queues.checkDestination('rabbitmq://BROKER.internal:5672/billing'))).to.equal(undefined);
    expect(codeOf(() => queues.checkDestination('rabbitmq://u:p@broker.internal/other-vhost/q'))).to.equal(undefined);
    expect(codeOf(() => queues.checkDestination('rabbitmq://attacker.example/q'))).to.equal('ONCEBUS_UNTRUSTED_DESTINATION');
    expect(codeOf(() => queues.checkDestination('rabbitmq://broker.internal:5673/q'))).to.equal('ONCEBUS_UNTRUSTED_DESTINATION');
    queues.trust('rabbitmq://attacker.example/anything');
    expect(codeOf(() => queues.checkDestination('rabbitmq://attacker.example/q'))).to.equal(undefined);
    await queues.close();
    await factory.close();
  });

  it("checks an exchange URI like a queue's: on a configured broker it passes, on another host it is refused", async () => {
    const factory = new RabbitMqQueueFactory();
    const queues = new QueueRegistry([factory]);
    queues.check('rabbitmq://broker.internal/orders', 'inbox.workQueueUri');
    const native = queues.nativeSubscriptions('rabbitmq://broker.internal/orders');
    const [exchange] = await native!.getSubscribers('orders.Placed');
    expect(exchange).to.equal('rabbitmq://broker.internal/oncebus.orders.Placed?exchange=true');
    expect(codeOf(() => queues.checkDestination(exchange!))).to.equal(undefined);
    expect(codeOf(() => queues.checkDestination('rabbitmq://attacker.example/oncebus.orders.Placed?exchange=true'))).to.equal('ONCEBUS_UNTRUSTED_DESTINATION');
    await queues.close();
    await factory.close();
  });

  it('names the refused connection without its credentials, and refuses an unknown scheme as configuration', () => {
    const queues = new QueueRegistry([new RabbitMqQueueFactory(), new MemoryBroker()]);
    try {
      queues.checkDestination('rabbitmq://user:pa55word@evil.example:1234/q');
      expect.fail('accepted');
    } catch (error) {
      expect(String(error)).to.contain('rabbitmq://evil.example:1234').and.not.contain('pa55word');
      expect(OncebusError.is(error) && error.kind).to.equal('unreadable');
    }
    expect(codeOf(() => queues.checkDestination('file:///etc/passwd'))).to.equal('ONCEBUS_CONFIGURATION');
  });

  it('lets any URI of a transport without connection scopes through (its connections are all configured on it)', () => {
    const queues = new QueueRegistry([new MemoryBroker()]);
    expect(codeOf(() => queues.checkDestination('memory://anything'))).to.equal(undefined);
  });
});
