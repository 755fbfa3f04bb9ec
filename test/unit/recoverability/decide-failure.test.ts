import { expect } from 'chai';
import { UnrecoverableHandlerError } from '../../../src/errors/errors.js';
import type { FailureHandling } from '../../../src/handling/message-handler.js';
import { decideFailure, type FailureDecision } from '../../../src/recoverability/decide-failure.js';

const policy = { maximumFailureCount: 3, durationToIgnoreOnFailure: [1000, 5000] };
const now = 1_000_000;
const plain = new Error('x');

describe('decideFailure (a pure function, tested as a table)', () => {
  const table: [string, number, unknown, FailureHandling, FailureDecision['action'], number?][] = [
    ['first failure: retry after the first duration', 1, plain, 'retry', 'retry', now + 1000],
    ['second failure: retry after the second duration', 2, plain, 'retry', 'retry', now + 5000],
    ['third failure reaches maximumFailureCount', 3, plain, 'retry', 'error-queue'],
    ['an unrecoverable error goes to the error queue at once', 1, new UnrecoverableHandlerError('bad'), 'retry', 'error-queue'],
    ["'poison' goes to the error queue at once", 1, plain, 'poison', 'error-queue'],
    ["'block' releases, whatever the count", 5, plain, 'block', 'release'],
  ];
  for (const [situation, count, error, handling, action, due] of table) {
    it(situation, () => {
      const d = decideFailure(count, error, policy, handling, now);
      expect(d.action).to.equal(action);
      if (due !== undefined && d.action === 'retry') expect(d.ignoreTillDate).to.equal(due);
    });
  }

  it('repeats the last duration beyond the list, and treats 0 as "at once"', () => {
    const p = { maximumFailureCount: 10, durationToIgnoreOnFailure: [0, 2000] };
    expect(decideFailure(1, plain, p, 'retry', now)).to.deep.equal({ action: 'retry', ignoreTillDate: 0 });
    expect(decideFailure(7, plain, p, 'retry', now)).to.deep.equal({ action: 'retry', ignoreTillDate: now + 2000 });
  });
});
