import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SAMPLE = fileURLToPath(new URL('../../samples/telemetry/main.js', import.meta.url));

describe('the telemetry sample (npm run sample:telemetry): traces and metrics to the console', function () {
  this.timeout(60_000);

  it('prints one trace of send, process, publish and the subscriber, then the metrics', () => {
    const out = execFileSync(process.execPath, [SAMPLE], { encoding: 'utf8' });
    const names = [...out.matchAll(/^ {2}name: '([^']+)'/gm)].map((m) => m[1]);
    expect(names).to.include.members(['send shop.PlaceOrder', 'process shop.PlaceOrder', 'publish shop.OrderPlaced', 'process shop.OrderPlaced']);
    const traceIds = new Set([...out.matchAll(/^ {2}traceId: '([0-9a-f]{32})'/gm)].map((m) => m[1]));
    expect(traceIds.size, 'one trace').to.equal(1);
    for (const metric of ['messaging.client.sent.messages', 'messaging.client.consumed.messages', 'oncebus.flush.lag']) expect(out).to.include(`name: '${metric}'`);
  });
});
