import { expect } from 'chai';
import { httpKeysSection } from '../../bench/http-keys-report.js';

// The benchmark's HTTP section pairs each round's keyed run with that round's run without a key, and says
// whether the keyed route's CPU per request is within 1.3× — computed, never measured, here.

const run = (rps: number, nodeUs: number, databaseUs: number) => ({ messages: 1000, ms: (1000 / rps) * 1000, threads: 16, cpu: { nodeUs, nodeSystemUs: 0, ownDatabaseUs: databaseUs } });

describe('the HTTP Idempotency-Keys section of docs/BENCHMARKS.md', () => {
  it('is empty when no HTTP case ran', () => {
    expect(httpKeysSection(new Map([['rabbitmq x4', [run(1, 1, 1)]]]))).to.equal('');
  });

  it('takes the median of same-round CPU ratios (Node + PostgreSQL) and says whether the target is met', () => {
    const groups = new Map([
      ['http-plain x16', [run(1000, 200, 100), run(1000, 200, 100), run(1000, 200, 100)]],
      // Round 2 is slow for both: paired, its ratio is as the others'.
      ['http-bus x16', [run(400, 1000, 1000), run(100, 2000, 2000), run(400, 1000, 1000)]],
      ['http-keyed x16', [run(300, 1200, 1200), run(80, 2400, 2400), run(300, 1300, 1300)]],
    ]);
    const section = httpKeysSection(groups);
    expect(section).to.contain('| http-keyed x16 | 300 (80–300) | 1300 | 0 | 1300 | 2600 | — |');
    expect(section).to.contain("1.20× the same\nroute's without a key (1.20–1.30 over 3 rounds) — target ≤ 1.3× (met)");
    const over = new Map(groups);
    over.set('http-keyed x16', [run(300, 1400, 1400), run(80, 2800, 2800), run(300, 1400, 1400)]);
    expect(httpKeysSection(over)).to.contain('1.40× the same').and.contain('(**not met**)');
  });
});
