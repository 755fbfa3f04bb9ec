import { expect } from 'chai';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { ConfigurationError } from '../../../src/errors/errors.js';
import { failureFields } from '../../../src/logging/failure-fields.js';

describe('failureFields: what a log line about a failed message carries', () => {
  it('names the endpoint, the message, the attempt and the error with its stack', () => {
    const tm = { ...emptyTransportMessage(), messageId: 'm-1', messageType: 'shop.PlaceOrder' };
    const fields = failureFields('sales', tm, new TypeError('bad total'), { attempt: 2 });
    expect(fields).to.include({ endpoint: 'sales', messageType: 'shop.PlaceOrder', messageId: 'm-1', attempt: 2, error: 'TypeError: bad total' });
    expect(fields.stack).to.match(/^TypeError: bad total\n\s+at /);
  });

  it("adds an oncebus error's code and hint", () => {
    const error = new ConfigurationError('inbox.threadCount', 'must be at least 1', { hint: 'set threadCount to 1 or more' });
    expect(failureFields('sales', undefined, error)).to.include({ code: 'ONCEBUS_CONFIGURATION', hint: 'set threadCount to 1 or more' });
  });

  it('leaves out what it does not know: no undefined fields, no envelope fields without an envelope', () => {
    const fields = failureFields('sales', null, 'a string was thrown', { attempt: undefined, reason: 'x' });
    expect(fields).to.deep.equal({ endpoint: 'sales', reason: 'x', error: 'a string was thrown' });
    expect(Object.values(fields)).not.to.include(undefined);
  });
});
