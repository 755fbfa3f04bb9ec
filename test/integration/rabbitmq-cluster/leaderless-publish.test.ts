import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { canControlCluster, clusterAvailable, clusterUri, deleteClusterQueues, killNode, queueLeader, restartDownNodes } from '../../support/rabbitmq-cluster.js';
import { envelope } from '../rabbitmq/rabbitmq-stream.js';

// RabbitMQ 3.10 nacks a publish to a quorum queue that has no leader, and the channel that saw it goes on
// nacking that queue long after a new leader was elected: the transport publishes again on a new channel.
describe('sends to a quorum queue whose leader node was just SIGKILLed', function () {
  this.timeout(60_000);
  const queue = `qql-${randomUUID().slice(0, 8)}`;
  let factory: RabbitMqQueueFactory | undefined;

  before(async function () {
    requireService(this, 'the local RabbitMQ cluster (services.sh start rabbitmq-cluster)', await clusterAvailable());
    requireService(this, 'control of the local RabbitMQ cluster (root, its pid files)', canControlCluster());
  });
  after(async () => {
    await restartDownNodes().catch(() => undefined);
    await factory?.close();
    await deleteClusterQueues([queue]);
  });

  it('are all confirmed within seconds, on a surviving node, none rejected', async () => {
    // Declared from node 1 (the leader goes where it is declared), sent from a connection to another node.
    const declaring = new RabbitMqQueueFactory();
    await declaring.create(clusterUri(queue, '', 1)).enqueue(envelope('first'), Buffer.from('first'));
    await declaring.close();
    const leader = await queueLeader(queue);
    // Its outage timeout is short: a channel left nacking would fail these sends instead of waiting for long.
    // A connection and channel opened just after the kill: their first publishes meet the queue leaderless.
    killNode(leader);
    factory = new RabbitMqQueueFactory({ outageTimeoutMs: 8000 });
    const sender = factory.create(clusterUri(queue, '', (leader % 3) + 1));
    const started = Date.now();
    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      const t = Date.now();
      await sender.enqueue(envelope(`after-${i}`), Buffer.from(`after-${i}`));
      slowest = Math.max(slowest, Date.now() - t);
    }
    console.log(`      20 sends after the kill of c${leader} confirmed in ${Date.now() - started} ms (the slowest ${slowest} ms)`);
    expect(slowest).to.be.below(5000);
  });
});
