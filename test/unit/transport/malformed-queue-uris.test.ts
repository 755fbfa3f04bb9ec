import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import { sqlQueueTable } from '../../../src/stores/sql/sql-queue-uri.js';
import { canonicalQueueAddress, queueScheme } from '../../../src/transport/queue-uri.js';
import { parseAzureServiceBusUri } from '../../../src/transports/azuresb/azuresb-uri.js';
import { parseRabbitMqUri } from '../../../src/transports/rabbitmq/rabbitmq-uri.js';

const codeOf = (run: () => unknown): string => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return OncebusError.is(error) ? error.code : `${(error as Error).name}: ${(error as Error).message}`;
  }
};

// Found by the fuzz suite (test/fuzz/queue-uris.test.ts). A queue URI can come from a message (a reply
// address), so a malformed one must be refused as configuration, never escape as a URIError.
describe('malformed queue URIs are refused typed', () => {
  it('a malformed percent escape in the path, user or password (decodeURIComponent threw a URIError)', () => {
    expect(codeOf(() => parseRabbitMqUri('rabbitmq://default/%'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(() => parseRabbitMqUri('rabbitmq:// :%@default/q'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(() => parseRabbitMqUri('rabbitmq://host/vhost%FF/q'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(() => parseAzureServiceBusUri('azuresb://main/%E0%A4%A'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(() => sqlQueueTable('postgres://default/%zz', 'postgres', 'default'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(parseRabbitMqUri('rabbitmq://host/v%2Fh/%C3%A9').queue).to.equal('é');
  });

  it("a scheme that is not RFC 3986's (its address was no URI at all)", () => {
    expect(codeOf(() => queueScheme('A::///'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(() => canonicalQueueAddress('A::///'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(() => queueScheme('1x://q'))).to.equal('ONCEBUS_CONFIGURATION');
    expect(queueScheme('RabbitMQ+tls.v2://h/q')).to.equal('rabbitmq+tls.v2');
  });
});
