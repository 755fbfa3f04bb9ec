import { expect } from 'chai';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { deleteQueues, rabbitAvailable, rabbitUri } from '../../support/rabbitmq.js';

// What a host's readiness probe reads of a RabbitMQ factory: whether each broker it opened is connected.
describe('RabbitMQ: the factory tells its health', () => {
  it('is healthy when connected, naming the broker without its password', async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    const queue = `health-${Math.random().toString(36).slice(2, 10)}`;
    const factory = new RabbitMqQueueFactory();
    try {
      expect(await factory.checkHealth()).to.deep.equal({ healthy: true, detail: 'no broker connection opened yet' });
      const q = factory.create(rabbitUri(queue));
      await (q as unknown as { create(): Promise<void> }).create();
      const health = await factory.checkHealth();
      expect(health.healthy).to.equal(true);
      expect(health.detail).to.match(/^connected to amqp:\/\//).and.not.contain(':guest@');
    } finally {
      await factory.close();
      await deleteQueues([queue]);
    }
  });

  it('is unhealthy while a broker it opened is not connected', async () => {
    const factory = new RabbitMqQueueFactory({ connectAttempts: 1, username: 'app', password: 'hunter2' });
    try {
      const q = factory.create('rabbitmq://127.0.0.1:1/nothing-listens-here');
      await (q as unknown as { create(): Promise<void> }).create().catch(() => undefined);
      const health = await factory.checkHealth();
      expect(health.healthy).to.equal(false);
      expect(health.detail).to.contain('not connected to amqp://').and.contain('127.0.0.1:1').and.not.contain('hunter2');
    } finally {
      await factory.close();
    }
  });
});
