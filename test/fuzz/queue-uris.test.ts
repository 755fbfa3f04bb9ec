import { expect } from 'chai';
import fc from 'fast-check';
import { parseAzureServiceBusUri } from '../../src/transports/azuresb/azuresb-uri.js';
import { parseRabbitMqUri } from '../../src/transports/rabbitmq/rabbitmq-uri.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { sqlQueueTable } from '../../src/stores/sql/sql-queue-uri.js';
import { canonicalQueueAddress, parseQueueUri, queueScheme } from '../../src/transport/queue-uri.js';
import { check, PROPERTY_TIMEOUT_MS, typedOrResult } from './fuzz-runs.js';

const rabbit = new RabbitMqQueueFactory();

/** A URI part: text, percent escapes (valid or not), and the characters that separate URI parts. */
const part = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
      { weight: 2, arbitrary: fc.constantFrom('%', '%2', '%zz', '%41', '%2F', '%C3%A9', '%E0%A4%A', '%FF', '%00') },
      { weight: 2, arbitrary: fc.constantFrom('/', ':', '@', '?', '#', '&', '=', '.', '[', ']', '\\', ' ', '$deadletterqueue', 'subscriptions', 'amq.x') },
    ),
    { maxLength: 6 },
  )
  .map((pieces) => pieces.join(''));

const params = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom('prefetch', 'durable', 'priority', 'heartbeat', 'tls', 'amqps', 'batch'), part), fc.oneof(fc.constantFrom('0', '1', '20', '65536', 'true', 'false', '-1', '1e3'), part)),
  { maxLength: 3 },
);

/** URIs shaped like queue URIs, every part hostile: scheme://[user[:pass]@]host[:port][/path][?query]. */
const uris = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .record({
      scheme: fc.oneof(fc.constantFrom('rabbitmq', 'rabbitmqs', 'azuresb', 'postgres', 'sqlite', 'memory', 'RabbitMQ'), part),
      user: fc.option(fc.tuple(part, fc.option(part))),
      host: fc.oneof(fc.constantFrom('default', 'localhost', '127.0.0.1', '[::1]', 'main', ''), part),
      port: fc.option(fc.oneof(fc.nat({ max: 70000 }).map(String), part)),
      path: part,
      query: params,
    })
    .map(({ scheme, user, host, port, path, query }) => {
      const auth = user ? `${user[0]}${user[1] === null ? '' : `:${user[1]}`}@` : '';
      const q = query.length ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
      return `${scheme}://${auth}${host}${port === null ? '' : `:${port}`}/${path}${q}`;
    }),
);

describe('fuzz: queue URIs (queue-uri.ts, rabbitmq-uri.ts, azuresb-uri.ts, sql-queue-uri.ts) parse or refuse, typed', function () {
  this.timeout(PROPERTY_TIMEOUT_MS);

  it('every parser returns or throws a typed oncebus error', async () => {
    await check(uris, (uri) => {
      typedOrResult(() => queueScheme(uri));
      typedOrResult(() => parseQueueUri(uri));
      typedOrResult(() => canonicalQueueAddress(uri));
      typedOrResult(() => parseRabbitMqUri(uri));
      typedOrResult(() => rabbit.connectionScope(uri));
      typedOrResult(() => parseAzureServiceBusUri(uri));
      typedOrResult(() => sqlQueueTable(uri, 'postgres', 'default'));
      typedOrResult(() => sqlQueueTable(uri, 'sqlite', 'main'));
    });
  });

  it("a RabbitMQ queue's address is a URI of the same queue, on the same broker (what replies and trust rely on)", async () => {
    await check(uris, (uri) => {
      const parsed = typedOrResult(() => parseRabbitMqUri(uri));
      if (!parsed) return;
      const again = parseRabbitMqUri(parsed.address);
      expect(again.address).to.equal(parsed.address);
      expect(again.queue).to.equal(parsed.queue);
      expect(again.connectionScope).to.equal(parsed.connectionScope);
      expect(rabbit.connectionScope(parsed.address)).to.equal(parsed.connectionScope);
      expect(parsed.address).to.not.include('@');
    });
  });

  it('a canonical address is stable: the address of an address is itself', async () => {
    await check(uris, (uri) => {
      const address = typedOrResult(() => canonicalQueueAddress(uri));
      if (address === undefined) return;
      expect(canonicalQueueAddress(address)).to.equal(address);
    });
  });
});
