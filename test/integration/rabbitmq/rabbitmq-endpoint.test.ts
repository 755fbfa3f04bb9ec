import 'reflect-metadata';
import { expect } from 'chai';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import type pg from 'pg';
import { addOncebus, createSilentLogger, type EndpointOptions, FAILURE_REASON_HEADER, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES, UNREADABLE_MESSAGE_TYPE } from '../../../src/index.js';
import { deserializeTransportMessage, emptyTransportMessage, serializeTransportMessage } from '../../../src/extending.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually, waitForEvents } from '../../support/latch.js';
import { PlaceOrder } from '../../support/messages.js';
import { canControlRabbit, deleteQueues, RABBITMQ_URL, rabbitAvailable, rabbitctl, rabbitUri } from '../../support/rabbitmq.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

let schema = '';
let failFirst = new Set<string>();
/** Orders whose handler fails on every attempt. */
const alwaysFail = new Set<string>();
const attempts = new Map<string, number>();

@handlesMessage(PlaceOrder)
class RecordingHandler implements IMessageHandler<PlaceOrder, pg.PoolClient | undefined> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient | undefined>): Promise<void> {
    const id = ctx.message.orderId;
    attempts.set(id, (attempts.get(id) ?? 0) + 1);
    if (failFirst.delete(id)) throw new Error(`first attempt of ${id} fails`);
    if (alwaysFail.has(id)) throw new Error(`${id} always fails`);
    if (ctx.transaction) await ctx.transaction.query(`INSERT INTO ${schema}.business (order_id) VALUES ($1)`, [id]);
  }
}

describe('an endpoint over RabbitMQ (real broker)', function () {
  this.timeout(120_000);
  const names: string[] = [];
  let factory: RabbitMqQueueFactory;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    factory = new RabbitMqQueueFactory({ outageTimeoutMs: 30_000, maxReconnectDelayMs: 1000 });
  });
  afterEach(() => deleteQueues(names.splice(0)));
  after(() => factory?.close());

  function endpoint(
    extra: Partial<EndpointOptions> = {},
    bind?: (c: Container) => void,
    inbox: Partial<EndpointOptions['inbox']> = {},
  ): { bus: IServiceBus; inbox: string; error: string } {
    const base = `ep-${randomUUID().slice(0, 8)}`;
    names.push(base, `${base}-error`, `${base}-deferred`);
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(factory);
    container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    bind?.(container);
    addOncebus(container, {
      handlers: [RecordingHandler],
      ...extra,
      inbox: {
        workQueueUri: rabbitUri(base),
        errorQueueUri: rabbitUri(`${base}-error`),
        deferredQueueUri: rabbitUri(`${base}-deferred`),
        threadCount: 4,
        durationToIgnoreOnFailure: ['200ms'],
        durationToSleepWhenIdle: ['10ms', '50ms', '200ms'],
        ...inbox,
      },
    });
    return { bus: container.get<IServiceBus>(TYPES.ServiceBus), inbox: base, error: `${base}-error` };
  }

  it('moves what a plain AMQP client publishes that is not an envelope to the error queue, raw body kept', async () => {
    const { bus, inbox, error } = endpoint();
    await bus.start();
    try {
      const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 3);
      const raw = await amqp.connect(RABBITMQ_URL);
      const ch = await raw.createChannel();
      ch.sendToQueue(inbox, Buffer.from([0xde, 0xad, 0xbe, 0xef]), { persistent: true });
      ch.sendToQueue(inbox, Buffer.alloc(0), { persistent: true });
      ch.sendToQueue(inbox, Buffer.from('<order id="1"/>'), { persistent: true, contentType: 'application/xml' });
      await ch.close();
      await raw.close();
      const seen = await failed;
      expect(seen.map(([tm]) => tm.messageType)).to.deep.equal([UNREADABLE_MESSAGE_TYPE, UNREADABLE_MESSAGE_TYPE, UNREADABLE_MESSAGE_TYPE]);
      // Read the error queue back: each raw body is there, byte for byte, with the reason.
      const errors = factory.create(rabbitUri(error));
      const bodies: string[] = [];
      for (let i = 0; i < 3; i++) {
        let r = null;
        await eventually(async () => (r = await errors.getMessage()) !== null, 'an error-queue message');
        const tm = deserializeTransportMessage(r!.body);
        expect(tm.headers[FAILURE_REASON_HEADER]).to.be.a('string').and.not.equal('');
        bodies.push(Buffer.from(tm.message).toString('hex'));
        await errors.acknowledge(r!.token);
      }
      await errors.close();
      expect(bodies.sort()).to.deep.equal(['', Buffer.from('<order id="1"/>').toString('hex'), 'deadbeef'].sort());
    } finally {
      await bus.stop();
    }
  });

  it('takes a message whose id is too long for AMQP message_id (200 characters, 400 bytes) through its retries to the error queue', async () => {
    alwaysFail.add('long-id');
    const { bus, inbox, error } = endpoint({}, undefined, { maximumFailureCount: 2, durationToIgnoreOnFailure: ['0ms'] });
    await bus.start();
    try {
      const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 20_000);
      const tm = Object.assign(emptyTransportMessage(), {
        messageId: 'é'.repeat(200),
        messageType: 'test.PlaceOrder',
        sendDate: Date.now(),
        message: Buffer.from(JSON.stringify({ orderId: 'long-id' })),
      });
      await factory.create(rabbitUri(inbox)).enqueue(tm, serializeTransportMessage(tm));
      const [[copy]] = await failed;
      expect(copy.messageId).to.equal(tm.messageId);
      expect(copy.failureMessages).to.have.length(2);
      expect(attempts.get('long-id')).to.equal(2);
      const errors = factory.create(rabbitUri(error));
      let r = null;
      await eventually(async () => (r = await errors.getMessage()) !== null, 'the error-queue copy');
      expect(deserializeTransportMessage(r!.body).messageId).to.equal(tm.messageId);
      await errors.acknowledge(r!.token);
      await errors.close();
    } finally {
      await bus.stop();
    }
  });

  it('retries through the deferred queue without broker plugins', async () => {
    failFirst = new Set(['retry-1']);
    const { bus } = endpoint();
    await bus.start();
    try {
      const retried = waitForEvents(bus.events, 'messageRetried');
      const handled = waitForEvents(bus.events, 'messageHandled');
      await bus.send(new PlaceOrder('retry-1'), { local: true });
      const [[copy]] = await retried;
      expect(copy.ignoreTillDate).to.be.greaterThan(Date.now() - 1000);
      await handled;
      expect(attempts.get('retry-1')).to.equal(2);
    } finally {
      await bus.stop();
    }
  });

  describe('with PostgreSQL idempotence, across a broker restart', () => {
    let store: PostgresStore;
    before(async function () {
      requireService(this, 'PostgreSQL', await postgresAvailable());
      requireService(this, 'control of the local RabbitMQ (rabbitmqctl)', canControlRabbit());
      schema = `rmq_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
      store = new PostgresStore({ connectionString: PG_URL, schema });
      await store.store.ready();
      await store.database.execute(`CREATE TABLE ${schema}.business (order_id text NOT NULL)`);
    });
    after(async () => {
      await rabbitctl('start_app').catch(() => undefined); // a no-op when running
      await store?.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await store?.close();
    });

    it('handles every message of a stream once, none twice, though the broker restarts in the middle', async () => {
      const { bus } = endpoint({ idempotence: true }, (c) => c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence()));
      await bus.start();
      try {
        const total = 200;
        const ids = Array.from({ length: total }, (_, i) => `s-${i}`);
        let next = 0;
        const sendAll = (async () => {
          while (next < total) {
            try {
              await bus.send(new PlaceOrder(ids[next]!), { local: true });
              next++;
            } catch {
              await new Promise((r) => setTimeout(r, 100)); // the broker is away: the send failed typed, send again
            }
          }
        })();
        await eventually(() => next >= 60, '60 messages sent');
        await rabbitctl('stop_app');
        await new Promise((r) => setTimeout(r, 1500));
        await rabbitctl('start_app');
        await sendAll;
        await eventually(
          async () => Number((await store.database.query<{ n: string }>(`SELECT count(DISTINCT order_id) AS n FROM ${schema}.business`))[0]?.n) === total,
          'every order recorded',
          60_000,
        );
        const rows = await store.database.query<{ order_id: string; n: string }>(`SELECT order_id, count(*) AS n FROM ${schema}.business GROUP BY order_id HAVING count(*) > 1`);
        expect(rows, 'no doubled effect').to.deep.equal([]);
      } finally {
        await bus.stop();
      }
    });
  });
});
