import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { describeQueueContract } from '../../contract/queue-contract.js';
import { deleteQueues, rabbitAvailable, rabbitUri } from '../../support/rabbitmq.js';

const factory = new RabbitMqQueueFactory();
describeQueueContract('rabbitmq:// (real broker)', {
  available: rabbitAvailable,
  open: (name) => factory.create(rabbitUri(name, 'priority=10&prefetch=5')),
  supportsPriority: true,
  cleanup: deleteQueues,
  after: () => factory.close(),
});
