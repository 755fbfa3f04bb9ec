import { expect } from 'chai';
import { failureHistory } from '../../../src/operations/errors/failure-history.js';

// An error-queue copy's failure lines are whatever its writer put there: ~3 MB of them (under the endpoint's
// 4 MiB limit, far under the error queue's) once overflowed the stack, and ingestion released the copy and
// took it again forever, holding up every message behind it.
describe('failure history of a copy with a quarter of a million failure lines', () => {
  it('is read without overflowing the stack: every line an attempt, the first and last times right', () => {
    const base = Date.UTC(2026, 0, 1);
    const lines = Array.from({ length: 250_000 }, (_, i) => `${new Date(base + i * 1000).toISOString()} memory://orders boom ${i}`);
    const history = failureHistory(lines, base + 10 ** 12);
    expect(history.attempts).to.equal(250_000);
    expect(history.firstFailedAt).to.equal(base);
    expect(history.lastFailedAt).to.equal(base + 249_999 * 1000);
    expect(history.hashes).to.have.length(1000);
  });
});
