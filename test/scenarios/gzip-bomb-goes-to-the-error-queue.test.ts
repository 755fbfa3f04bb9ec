import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { runHostileEndpoint } from '../support/hostile-child.js';

// Any sender may name gzip (it is always registered): 256 KiB of gzip that inflates to 256 MiB must not
// cost the endpoint 256 MiB (or, a little larger, its life on every redelivery). It is inflated only up to
// the endpoint's maxMessageSize, then moved to the error queue as it came, with the reason.
describe('scenario: a gzip bomb goes to the error queue as it came, and the endpoint never holds what it inflates to', function () {
  this.timeout(120_000);

  it('refuses to inflate past maxMessageSize (default), keeps the compressed body and says why', async () => {
    const report = await runHostileEndpoint({ transport: 'memory', queue: `bomb-${randomUUID().slice(0, 8)}`, message: 'gzip-bomb', inflatesToMiB: 256 });
    expect(report.sentBytes, 'a small message').to.be.below(1024 * 1024);
    expect(report.outcome).to.equal('error-queue');
    expect(report.reason).to.match(/decompressed body is larger than 4194304 bytes/);
    expect(report.copy?.messageType).to.equal('test.PlaceOrder');
    expect(report.copy?.bodySha256, 'the compressed body, byte for byte').to.equal(report.sentBodySha256);
    expect(report.copy?.failureMessages).to.have.length(1);
    expect(report.copy?.failureMessages[0]).to.match(/MessageTooLargeError/);
    expect(report.peakGrowthMiB, 'peak memory growth (MiB) while dealing with it').to.be.below(64);
  });
});
