import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { UNREADABLE_MESSAGE_TYPE } from '../../src/envelope/oncebus-headers.js';
import { runHostileEndpoint } from '../support/hostile-child.js';

// An envelope larger than the endpoint's maxMessageSize is not parsed at all: its bytes go to the error
// queue untouched (wrapped as an unreadable message that says why), and nothing is handled.
describe('scenario: an envelope over maxMessageSize goes to the error queue unparsed, with its raw bytes and the reason', function () {
  this.timeout(120_000);

  it('moves a 200 KiB envelope aside at a 64 KiB limit', async () => {
    const report = await runHostileEndpoint({
      transport: 'memory',
      queue: `big-${randomUUID().slice(0, 8)}`,
      message: 'oversized-envelope',
      envelopeBytes: 150 * 1024,
      maxMessageSize: 64 * 1024,
    });
    expect(report.sentBytes).to.be.above(64 * 1024);
    expect(report.outcome).to.equal('error-queue');
    expect(report.reason).to.match(/larger than 65536 bytes/);
    expect(report.copy?.messageType).to.equal(UNREADABLE_MESSAGE_TYPE);
    expect(report.copy?.bodySha256, 'the raw envelope, byte for byte').to.equal(report.sentSha256);
    expect(report.copy?.headers['oncebus-failure-reason']).to.match(/envelope is \d+ bytes, larger than 65536 bytes/);
    expect(report.peakGrowthMiB).to.be.below(64);
  });

  it('moves an envelope over the default limit (4 MiB) aside too', async () => {
    const report = await runHostileEndpoint({ transport: 'memory', queue: `big-${randomUUID().slice(0, 8)}`, message: 'oversized-envelope', envelopeBytes: 3.5 * 1024 * 1024 });
    expect(report.sentBytes).to.be.above(4 * 1024 * 1024);
    expect(report.outcome).to.equal('error-queue');
    expect(report.reason).to.match(/larger than 4194304 bytes/);
    expect(report.copy?.bodySha256).to.equal(report.sentSha256);
  });
});
