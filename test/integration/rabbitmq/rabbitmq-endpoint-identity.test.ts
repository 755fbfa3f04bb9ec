import 'reflect-metadata';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, SOURCE_QUEUE_HEADER, TYPES } from '../../../src/index.js';
import { deserializeTransportMessage, serializeTransportMessage } from '../../../src/extending.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually, waitForEvents } from '../../support/latch.js';
import { Ping, Pong } from '../../support/messages.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from '../../support/rabbitmq.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

let runs = 0;

@handlesMessage(Ping)
class Answers implements IMessageHandler<Ping> {
  async handle(ctx: IHandlerContext<Ping>): Promise<void> {
    runs++;
    await ctx.reply(new Pong(ctx.message.n));
  }
}

@handlesMessage(Pong)
class Listens implements IMessageHandler<Pong> {
  handle(): void {}
}

describe('an endpoint is known by its address: no broker password in envelopes, rows or headers, and one identity however its URI is written', function () {
  this.timeout(60_000);
  const u = new URL(RABBITMQ_URL);
  const name = `id-${randomUUID().slice(0, 8)}`;
  const schema = `id_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  let store: PostgresStore;
  const factories: RabbitMqQueueFactory[] = [];

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    requireService(this, 'PostgreSQL', await postgresAvailable());
    store = new PostgresStore({ connectionString: PG_URL, schema });
  });
  after(async () => {
    await deleteQueues([name, `${name}-error`, `${name}-client`, `${name}-client-error`]);
    for (const f of factories) await f.close();
    await store?.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await store?.close();
  });

  /** The endpoint, its inbox URI written as given (credentials and consumer settings in it). */
  function endpoint(queue: string, uri: (q: string) => string, handlers: Function[]): IServiceBus {
    const factory = new RabbitMqQueueFactory({ maxReconnectDelayMs: 1000 });
    factories.push(factory);
    const c = new Container();
    c.bind(TYPES.QueueFactory).toConstantValue(factory);
    c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
    c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(c, { handlers: handlers as never, idempotence: true, inbox: { workQueueUri: uri(queue), errorQueueUri: uri(`${queue}-error`), durationToIgnoreOnFailure: ['0ms'] } });
    return c.get<IServiceBus>(TYPES.ServiceBus);
  }
  const withSecret = (q: string) => `rabbitmq://${u.username}:${u.password}@${u.hostname}:5672/${q}?prefetch=5`;
  const writtenOtherwise = (q: string) => `rabbitmq://${u.username}:${u.password}@${u.hostname.toUpperCase()}/%2F/${q}?prefetch=7&heartbeat=20`;

  it('carries the address, not the URI, and replies reach it; a copy after a restart with the URI written otherwise is not new', async () => {
    const server = endpoint(name, withSecret, [Answers]);
    const client = endpoint(`${name}-client`, withSecret, [Listens]);
    await server.start();
    await client.start();
    const replied = waitForEvents(client.events, 'messageHandled');
    const sent = await client.send(new Ping(1), { recipient: withSecret(name) });
    const [[pong]] = await replied;
    for (const tm of [sent, pong]) {
      expect(JSON.stringify({ ...tm, message: '' })).to.not.include(u.password || 'guest:');
    }
    expect(sent.senderInboxWorkQueueUri).to.equal(`rabbitmq://${u.hostname}/${name}-client`);
    expect(sent.recipientInboxWorkQueueUri).to.equal(`rabbitmq://${u.hostname}/${name}`);
    const rows = await store.database.query<{ inbox_uri: string }>(`SELECT DISTINCT inbox_uri FROM ${schema}.idempotence ORDER BY 1`);
    expect(rows.map((r) => r.inbox_uri)).to.deep.equal([`rabbitmq://${u.hostname}/${name}`, `rabbitmq://${u.hostname}/${name}-client`]);
    await server.stop();

    // The same queue, its URI written another way: the copy of the handled message is a duplicate.
    const again = endpoint(name, writtenOtherwise, [Answers]);
    await again.start();
    const ignored = waitForEvents(again.events, 'messageIgnored');
    await factories.at(-1)!.create(writtenOtherwise(name)).enqueue(sent, serializeTransportMessage(sent));
    await ignored;
    expect(runs).to.equal(1);

    // Unreadable input keeps its source queue in a header: the address, never the password.
    const failed = waitForEvents(again.events, 'messageSentToErrorQueue');
    const raw = factories.at(-1)!.create(writtenOtherwise(name));
    await raw.enqueue(Object.assign(sent, { messageId: randomUUID() }), Buffer.from('not an envelope'));
    const [[wrapper]] = await failed;
    expect(wrapper.headers[SOURCE_QUEUE_HEADER]).to.equal(`rabbitmq://${u.hostname}/${name}`);
    const errors = factories.at(-1)!.create(withSecret(`${name}-error`));
    let r = null;
    await eventually(async () => (r = await errors.getMessage()) !== null, 'the error-queue copy');
    expect(deserializeTransportMessage(r!.body).headers[SOURCE_QUEUE_HEADER]).to.not.include(u.password || 'guest:');
    await errors.acknowledge(r!.token);
    await again.stop();
    await client.stop();
  });
});
