import { expect } from 'chai';
import { ConfigurationError } from '../../../src/errors/errors.js';
import { exchangeNameFor, parseRabbitMqUri, type RabbitMqAddress } from '../../../src/transports/rabbitmq/index.js';

// Unit: no broker. What each URI means, and that every bad one is refused by name instead of defaulted.
describe('rabbitmq:// URI parsing', () => {
  const table: [string, Partial<RabbitMqAddress>][] = [
    [
      'rabbitmq://localhost/orders',
      { brokerUrl: 'amqp://guest:guest@localhost/%2F?heartbeat=30', queue: 'orders', prefetch: 20, durable: true, maxPriority: 0, heartbeatSeconds: 30, tls: false },
    ],
    [
      'rabbitmq://u:p%40ss@h:5673/sales/orders?prefetch=50&priority=10&heartbeat=10',
      { brokerUrl: 'amqp://u:p%40ss@h:5673/sales?heartbeat=10', safeBrokerUrl: 'amqp://u:***@h:5673/sales?heartbeat=10', queue: 'orders', prefetch: 50, maxPriority: 10 },
    ],
    ['rabbitmq://h/%2F/orders', { brokerUrl: 'amqp://guest:guest@h/%2F?heartbeat=30', queue: 'orders' }],
    ['rabbitmq://h/my%20vhost/a.b-c_d', { brokerUrl: 'amqp://guest:guest@h/my%20vhost?heartbeat=30', queue: 'a.b-c_d' }],
    ['rabbitmq://bob@h/q', { brokerUrl: 'amqp://bob:@h/%2F?heartbeat=30', safeBrokerUrl: 'amqp://bob:***@h/%2F?heartbeat=30' }],
    ['rabbitmq://[::1]:5672/q', { brokerUrl: 'amqp://guest:guest@[::1]:5672/%2F?heartbeat=30' }],
    ['rabbitmqs://h/orders', { brokerUrl: 'amqps://guest:guest@h/%2F?heartbeat=30', tls: true }],
    ['rabbitmq://h/orders?amqps=true', { brokerUrl: 'amqps://guest:guest@h/%2F?heartbeat=30', tls: true }],
    ['rabbitmq://h/orders?durable=false&tls=true', { durable: false, tls: true }],
    ['rabbitmq://h/q?heartbeat=0&prefetch=1&priority=255', { heartbeatSeconds: 0, prefetch: 1, maxPriority: 255 }],
    ['rabbitmq://h/q', { queueType: 'classic', brokerUrls: ['amqp://guest:guest@h/%2F?heartbeat=30'] }],
    ['rabbitmq://h/q?queueType=classic', { queueType: 'classic', address: 'rabbitmq://h/q' }],
    ['rabbitmq://h/q?queueType=quorum', { queueType: 'quorum', address: 'rabbitmq://h/q?queueType=quorum' }],
    [
      // A cluster's nodes: one URL each, same user and vhost; the safe URL names every node, no password.
      'rabbitmq://u:pw@H1:5701,h2:5702,[::1]:5703/sales/orders?queueType=quorum',
      {
        brokerUrls: ['amqp://u:pw@H1:5701/sales?heartbeat=30', 'amqp://u:pw@h2:5702/sales?heartbeat=30', 'amqp://u:pw@[::1]:5703/sales?heartbeat=30'],
        brokerUrl: 'amqp://u:pw@H1:5701/sales?heartbeat=30',
        safeBrokerUrl: 'amqp://u:***@H1:5701,h2:5702,[::1]:5703/sales?heartbeat=30',
        address: 'rabbitmq://[::1]:5703,h1:5701,h2:5702/sales/orders?queueType=quorum',
        connectionScope: 'rabbitmq://[::1]:5703,h1:5701,h2:5702',
        credentials: { user: 'u', password: 'pw' },
        queue: 'orders',
        vhost: 'sales',
      },
    ],
  ];
  for (const [uri, expected] of table) {
    it(`parses ${uri}`, () => expect(parseRabbitMqUri(uri)).to.deep.include(expected));
  }

  const addresses: [string, string][] = [
    ['rabbitmq://u:secret@Host:5672/orders?prefetch=5&heartbeat=10', 'rabbitmq://host/orders'],
    ['rabbitmq://host/%2F/orders', 'rabbitmq://host/orders'],
    ['rabbitmq://host:5673/sales/orders?priority=10', 'rabbitmq://host:5673/sales/orders?priority=10'],
    ['rabbitmqs://u:p@host:5671/orders?durable=false', 'rabbitmqs://host/orders?durable=false'],
    ['rabbitmq://host/orders?tls=true', 'rabbitmqs://host/orders'],
    ['rabbitmq://u:p@Host:5672,other:5672/orders?queueType=quorum&prefetch=5', 'rabbitmq://host,other/orders?queueType=quorum'],
  ];
  for (const [uri, address] of addresses) {
    it(`addresses ${uri} as ${address} (no secret, no consumer setting, no default port)`, () => {
      expect(parseRabbitMqUri(uri).address).to.equal(address);
      // An address is itself a URI of the same queue, on the same broker key: a reply or a publish to it goes
      // over the connection (and credentials) the endpoint made, whatever heartbeat the endpoint's URI set.
      expect(parseRabbitMqUri(address)).to.deep.include({ address, brokerKey: parseRabbitMqUri(uri).brokerKey });
    });
  }

  it('knows a host list as a set: another order is the same endpoint, broker and trust scope; the connection tries them as written', () => {
    const a = parseRabbitMqUri('rabbitmq://h1:5701,h2:5702/q');
    const b = parseRabbitMqUri('rabbitmq://H2:5702,h1:5701/q');
    expect(a.connectionScope).to.equal('rabbitmq://h1:5701,h2:5702');
    expect(b).to.deep.include({ address: a.address, connectionScope: a.connectionScope, brokerKey: a.brokerKey });
    expect(b.brokerUrls).to.deep.equal(['amqp://guest:guest@H2:5702/%2F?heartbeat=30', 'amqp://guest:guest@h1:5701/%2F?heartbeat=30']);
    // One node of the list alone is not the list: the endpoint's credentials are given only to what it was configured with.
    expect(parseRabbitMqUri('rabbitmq://h1:5701/q').connectionScope).to.not.equal(a.connectionScope);
    expect(parseRabbitMqUri('rabbitmq://h1:5701,h2:5702,evil:5672/q').connectionScope).to.not.equal(a.connectionScope);
  });

  it('never puts the password in the safe URL', () => {
    expect(parseRabbitMqUri('rabbitmq://u:hunter2@h/q').safeBrokerUrl).to.not.include('hunter2');
  });

  const bad: [string, RegExp][] = [
    ['rabbitmq://h', /expected rabbitmq:\/\/host/],
    ['rabbitmq://h/a/b/c', /expected rabbitmq:\/\/host/],
    ['rabbitmq:///q', /no broker host/],
    ['amqp://h/q', /not a rabbitmq/],
    ['rabbitmq://h/q?prefetch=lots', /prefetch/],
    ['rabbitmq://h/q?prefetch=0', /0 would be unlimited/],
    ['rabbitmq://h/q?prefetch=70000', /prefetch must be/],
    ['rabbitmq://h/q?priority=256', /x-max-priority/],
    ['rabbitmq://h/q?priority=-1', /priority/],
    ['rabbitmq://h/q?heartbeat=99999', /heartbeat/],
    ['rabbitmq://h/q?durable=maybe', /durable/],
    ['rabbitmq://h/q?prefech=5', /unknown parameter 'prefech'/],
    ['rabbitmq://h/amq.orders', /reserved/],
    [`rabbitmq://h/${'x'.repeat(256)}`, /longer than 255/],
    // An exchange URI (a destination a message could name) reaches only oncebus's own exchanges.
    ['rabbitmq://h/billing-events?exchange=true', /names an oncebus exchange/],
    ['rabbitmq://h/oncebus.a.B?exchange=true&priority=5', /neither durable=false, priority nor queueType/],
    ['rabbitmq://h/oncebus.a.B?exchange=true&durable=false', /neither durable=false, priority nor queueType/],
    ['rabbitmq://h/oncebus.a.B?exchange=true&queueType=quorum', /neither durable=false, priority nor queueType/],
    // Queue types: only those oncebus declares, and none of what a quorum queue refuses.
    ['rabbitmq://h/q?queueType=stream', /queueType must be classic or quorum, got 'stream'/],
    ['rabbitmq://h/q?queueType=Quorum', /queueType must be classic or quorum/],
    ['rabbitmq://h/q?queueType=quorum&priority=5', /a quorum queue has no priorities/],
    ['rabbitmq://h/q?queueType=quorum&durable=false', /a quorum queue is always durable/],
    // Host lists: hosts only, each once, bounded.
    ['rabbitmq://h1:5701,,h3:5703/q', /an empty host in the host list/],
    ['rabbitmq://h1:5701,h1:5701/q', /a host is named twice/],
    ['rabbitmq://h1:5701,h2:99999/q', /not a valid URI/],
    [`rabbitmq://${Array.from({ length: 17 }, (_, i) => `h${i}`).join(',')}/q`, /at most 16 hosts/],
    ['rabbitmq://h/oncebus.a.B?exchange=maybe', /exchange/],
  ];
  it('parses an exchange URI, and keeps exchange=true in its address', () => {
    const a = parseRabbitMqUri('rabbitmq://u:p@H/sales/oncebus.orders.Placed?exchange=true');
    expect(a).to.deep.include({ exchange: true, queue: 'oncebus.orders.Placed', vhost: 'sales' });
    expect(a.address).to.equal('rabbitmq://h/sales/oncebus.orders.Placed?exchange=true');
    expect(parseRabbitMqUri('rabbitmq://h/orders').exchange).to.equal(false);
  });

  it("derives a type's exchange name within RabbitMQ's 255 bytes, one per type", () => {
    expect(exchangeNameFor('orders.Placed')).to.equal('oncebus.orders.Placed');
    const long = (tail: string) => `${'é'.repeat(200)}${tail}`; // 400 bytes and more
    const [a, b] = [exchangeNameFor(long('A')), exchangeNameFor(long('B'))];
    expect(Buffer.byteLength(a)).to.be.at.most(255);
    expect(a).to.not.equal(b);
    expect(a.startsWith('oncebus.éé')).to.equal(true);
    expect(a).to.not.include('\uFFFD');
    // The derived name is one an exchange URI accepts.
    expect(parseRabbitMqUri(`rabbitmq://h/${encodeURIComponent(a)}?exchange=true`).queue).to.equal(a);
  });

  for (const [uri, why] of bad) {
    it(`refuses ${uri.length > 60 ? `${uri.slice(0, 60)}…` : uri}`, () => {
      expect(() => parseRabbitMqUri(uri)).to.throw(ConfigurationError, why);
    });
  }
});
