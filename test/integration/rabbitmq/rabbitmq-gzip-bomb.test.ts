import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { requireService } from '../../support/integration.js';
import { runHostileEndpoint } from '../../support/hostile-child.js';
import { deleteQueues, rabbitAvailable } from '../../support/rabbitmq.js';

// The gzip bomb over a real broker: the endpoint takes it, inflates no more than maxMessageSize, moves it
// to its error queue on the broker (enqueued, then acknowledged) and lives on — no crash, no redelivery loop.
describe('RabbitMQ: a gzip bomb goes to the error queue and the endpoint never holds what it inflates to', function () {
  this.timeout(120_000);
  const queue = `bomb-${randomUUID().slice(0, 8)}`;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
  });
  after(() => deleteQueues([queue, `${queue}-error`]));

  it('ends in the error queue with the compressed body and the reason; peak memory stays bounded', async () => {
    const report = await runHostileEndpoint({ transport: 'rabbitmq', queue, message: 'gzip-bomb', inflatesToMiB: 512 });
    expect(report.outcome).to.equal('error-queue');
    expect(report.reason).to.match(/decompressed body is larger than 4194304 bytes/);
    expect(report.copy?.bodySha256).to.equal(report.sentBodySha256);
    expect(report.copy?.failureMessages[0]).to.match(/MessageTooLargeError/);
    expect(report.peakGrowthMiB, 'peak memory growth (MiB)').to.be.below(64);
  });
});
