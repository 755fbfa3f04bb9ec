import { expect } from 'chai';
import { failureSignature, normaliseFailureMessage, parseFailureLine } from '../../../src/operations/errors/failure-signature.js';
import { failureLine } from '../../../src/recoverability/decide-failure.js';

describe('failure signatures: failed messages grouped by what went wrong, not by which order it was', () => {
  it('reads the exception type and message of the line the endpoint recorded', () => {
    const line = failureLine(new TypeError("cannot read 'sku' of undefined"), Date.UTC(2026, 11, 3), 'orders');
    expect(parseFailureLine(line)).to.deep.equal({ exceptionType: 'TypeError', message: "cannot read 'sku' of undefined" });
    expect(parseFailureLine('something else entirely')).to.deep.equal({ exceptionType: 'Error', message: 'something else entirely' });
  });

  it('takes ids, numbers, quoted values and times out of the message', () => {
    expect(normaliseFailureMessage("order 17 for customer 'ann' not found (id 3f2b1c9e-1111-4a2b-9c3d-0123456789ab at 2026-12-03T10:00:00.000Z)")).to.equal(
      'order <n> for customer <value> not found (id <id> at <time>)',
    );
  });

  it('puts two orders failing the same way in one group, and another type or exception in another', () => {
    const a = failureSignature('shop.PlaceOrder', 'Error', 'order 17 not found');
    const b = failureSignature('shop.PlaceOrder', 'Error', 'order 42 not found');
    expect(a).to.deep.equal(b);
    expect(a.title).to.equal('shop.PlaceOrder: Error: order <n> not found');
    expect(failureSignature('shop.CancelOrder', 'Error', 'order 17 not found').id).not.to.equal(a.id);
    expect(failureSignature('shop.PlaceOrder', 'TypeError', 'order 17 not found').id).not.to.equal(a.id);
  });
});
