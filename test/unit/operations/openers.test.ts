import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import { openOperationsStore, openStore, openTransports } from '../../../src/operations/openers/registry.js';

/** The OncebusError `run` rejects with. */
async function refusal(run: () => Promise<unknown>): Promise<OncebusError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  if (!OncebusError.is(error)) return expect.fail(`expected an OncebusError, got ${String(error)}`);
  return error;
}

// One registry turns a URL into a store or a transport, for every command and the dashboard. No server is
// reached here: RabbitMQ factories connect when a queue is used.
describe('the operations openers: one scheme → opener registry', () => {
  it('a URL of no kind it opens: a configuration error naming the setting and the forms it takes, no password shown', async () => {
    const store = await refusal(() => openStore('mysql://app:s3cret@db/shop'));
    expect(store).to.include({ code: 'ONCEBUS_CONFIGURATION', setting: '--store' });
    expect(store.message).to.contain('sqlite:<file>').and.to.contain('postgres://').and.not.to.contain('s3cret');
    const transport = await refusal(() => openTransports(['mysql://app:s3cret@db']));
    expect(transport.setting).to.equal('--transport');
    expect(transport.message).to.contain('rabbitmq://').and.to.contain('azuresb://<name>');
    // An Azure Service Bus URL is a transport, not a store.
    expect((await refusal(() => openOperationsStore('azuresb://orders-ns'))).setting).to.equal('--store');
  });

  it('a --schema that is not an SQL identifier is refused before a connection is made', async () => {
    const error = await refusal(() => openOperationsStore('postgres://app:s3cret@db.invalid/ops', { schema: 'x; DROP TABLE y' }));
    expect(error).to.include({ code: 'ONCEBUS_CONFIGURATION', setting: '--schema' });
  });

  it('several RabbitMQ brokers: one transport, each broker trusted with its own user; a queue on another host is refused', async () => {
    const transports = await openTransports(['rabbitmq://a-user:a-pw@broker-a.invalid', 'amqp://b-user:b-pw@broker-b.invalid:5673', 'amqps://c@broker-c.invalid']);
    try {
      expect([...transports.factories.map((f) => f.scheme)].sort()).to.deep.equal(['rabbitmq', 'rabbitmqs']);
      expect(transports.where).to.deep.equal(['rabbitmq://broker-a.invalid', 'rabbitmq://broker-b.invalid:5673', 'rabbitmqs://broker-c.invalid']);
      for (const uri of ['rabbitmq://broker-a.invalid/orders', 'rabbitmq://broker-b.invalid:5673/orders', 'rabbitmqs://broker-c.invalid/orders']) {
        expect(() => transports.queues.checkDestination(uri), uri).not.to.throw();
      }
      let refused: unknown;
      try {
        transports.queues.checkDestination('rabbitmq://elsewhere.invalid/orders');
      } catch (error) {
        refused = error;
      }
      expect(OncebusError.is(refused) && refused.code).to.equal('ONCEBUS_UNTRUSTED_DESTINATION');
    } finally {
      await transports.close();
    }
  });

  it('a RabbitMQ cluster as one transport (a host list): its queues in any node order reached, one node alone or another host refused', async () => {
    const transports = await openTransports(['rabbitmq://ops:pw@node-b.invalid:5702,Node-A.invalid:5701']);
    try {
      expect(transports.where).to.deep.equal(['rabbitmq://node-a.invalid:5701,node-b.invalid:5702']);
      expect(() => transports.queues.checkDestination('rabbitmq://node-a.invalid:5701,node-b.invalid:5702/orders?queueType=quorum')).not.to.throw();
      for (const uri of ['rabbitmq://node-a.invalid:5701/orders', 'rabbitmq://node-a.invalid:5701,node-b.invalid:5702,evil.invalid/orders']) {
        let refused: unknown;
        try {
          transports.queues.checkDestination(uri);
        } catch (error) {
          refused = error;
        }
        expect(OncebusError.is(refused) && refused.code, uri).to.equal('ONCEBUS_UNTRUSTED_DESTINATION');
      }
    } finally {
      await transports.close();
    }
  });

  it('two SQLite files as transports: refused (their queues would have the same URIs)', async () => {
    const error = await refusal(() => openTransports(['sqlite:/nonexistent/a.db', 'sqlite:/nonexistent/b.db']));
    expect(error).to.include({ code: 'ONCEBUS_CONFIGURATION', setting: '--transport' });
  });
});
