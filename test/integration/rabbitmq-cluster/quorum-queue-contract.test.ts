import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { describeQueueContract } from '../../contract/queue-contract.js';
import { clusterAvailable, clusterUri, deleteClusterQueues } from '../../support/rabbitmq-cluster.js';

// The queue contract on quorum queues of the three-node cluster, through a host list (no priority: a
// quorum queue has none).
const factory = new RabbitMqQueueFactory();
describeQueueContract('rabbitmq:// quorum queues (three-node cluster)', {
  available: clusterAvailable,
  open: (name) => factory.create(clusterUri(name, 'prefetch=5')),
  cleanup: deleteClusterQueues,
  after: () => factory.close(),
});
