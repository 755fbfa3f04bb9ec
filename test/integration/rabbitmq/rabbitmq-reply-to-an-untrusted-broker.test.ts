import 'reflect-metadata';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../../src/index.js';
import { deserializeTransportMessage, emptyTransportMessage, serializeTransportMessage } from '../../../src/extending.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { FakeAmqpListener } from '../../support/fake-amqp-listener.js';
import { requireService } from '../../support/integration.js';
import { eventually, waitForEvents } from '../../support/latch.js';
import { Ping, Pong } from '../../support/messages.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from '../../support/rabbitmq.js';

@handlesMessage(Ping)
class Answers implements IMessageHandler<Ping> {
  async handle(ctx: IHandlerContext<Ping>): Promise<void> {
    await ctx.reply(new Pong(ctx.message.n));
  }
}

// The endpoint's broker credentials live on its factory; a reply address is whatever the message says.
// A fake broker on another loopback address stands for a host the sender chose: the endpoint must not
// connect to it (the handled message goes to the error queue on the real broker, saying why) unless it
// is listed in trustedConnections.
describe('RabbitMQ: a reply to a broker the endpoint was not configured for never connects, and the message goes to the error queue', function () {
  this.timeout(60_000);
  const u = new URL(RABBITMQ_URL);
  const name = `untrusted-${randomUUID().slice(0, 8)}`;
  const factories: RabbitMqQueueFactory[] = [];
  const buses: IServiceBus[] = [];
  let fake: FakeAmqpListener;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    fake = await FakeAmqpListener.listen('127.0.0.2');
  });
  after(async () => {
    for (const b of buses) await b.stop().catch(() => undefined);
    await fake?.close();
    for (const f of factories) await f.close();
    await deleteQueues([name, `${name}-error`, `${name}-trusting`, `${name}-trusting-error`]);
  });

  const uri = (q: string): string => `rabbitmq://${u.host}/${q}`;

  function endpoint(queue: string, trustedConnections?: string[]): { bus: IServiceBus; factory: RabbitMqQueueFactory } {
    // Credentials on the factory, as the README recommends: the URIs carry none.
    const factory = new RabbitMqQueueFactory({ username: u.username, password: u.password, connectAttempts: 1, reconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    factories.push(factory);
    const c = new Container();
    c.bind(TYPES.QueueFactory).toConstantValue(factory);
    c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(c, {
      handlers: [Answers],
      inbox: { workQueueUri: uri(queue), errorQueueUri: uri(`${queue}-error`), maximumFailureCount: 3, durationToIgnoreOnFailure: ['0ms'] },
      handlerTimeout: '2s',
      stopTimeout: '1s',
      ...(trustedConnections ? { trustedConnections } : {}),
    });
    const bus = c.get<IServiceBus>(TYPES.ServiceBus);
    buses.push(bus);
    return { bus, factory };
  }

  async function ping(factory: RabbitMqQueueFactory, queue: string): Promise<string> {
    const tm = emptyTransportMessage();
    tm.messageId = randomUUID();
    tm.messageType = 'test.Ping';
    tm.senderInboxWorkQueueUri = `rabbitmq://127.0.0.2:${fake.port}/replies`;
    tm.message = Buffer.from('{"n":1}');
    await factory.create(uri(queue)).enqueue(tm, serializeTransportMessage(tm));
    return tm.messageId;
  }

  it('refuses: no connection to the fake broker, the Ping in the error queue once with UntrustedDestinationError', async () => {
    const { bus, factory } = endpoint(name);
    await bus.start();
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 30_000);
    const id = await ping(factory, name);
    const [[, reason]] = await failed;
    expect(reason).to.match(/refused to send to rabbitmq:\/\/127\.0\.0\.2:\d+: not a connection this endpoint is configured for/);
    const errors = factory.create(uri(`${name}-error`));
    let taken: Awaited<ReturnType<typeof errors.getMessage>> = null;
    await eventually(async () => (taken = await errors.getMessage()) !== null, 'the error-queue copy');
    const copy = deserializeTransportMessage(taken!.body);
    expect(copy.messageId).to.equal(id);
    expect(copy.failureMessages).to.have.length(1);
    expect(copy.failureMessages[0]).to.match(/UntrustedDestinationError/);
    await errors.acknowledge(taken!.token);
    expect(fake.connections, 'connections to the fake broker').to.equal(0);
    expect(fake.received).to.not.include(u.password);
  });

  it('sends when the broker is trusted: the fake broker is connected to and offered the credentials', async () => {
    const queue = `${name}-trusting`;
    const { bus, factory } = endpoint(queue, [`rabbitmq://127.0.0.2:${fake.port}`]);
    await bus.start();
    await ping(factory, queue);
    await eventually(() => fake.received.includes(`\u0000${u.username}\u0000${u.password}`), 'the trusted broker was offered the credentials', 30_000);
  });
});
