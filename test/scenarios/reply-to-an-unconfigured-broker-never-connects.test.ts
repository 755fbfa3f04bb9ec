import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import { TYPES } from '../../src/di/tokens.js';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { FakeAmqpListener } from '../support/fake-amqp-listener.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { Ping, Pong } from '../support/messages.js';

@handlesMessage(Ping)
class Answers implements IMessageHandler<Ping> {
  async handle(ctx: IHandlerContext<Ping>): Promise<void> {
    await ctx.reply(new Pong(ctx.message.n));
  }
}

const PASSWORD = 'broker-s3cret';

// A reply goes where the message says it came from. Were that a broker the endpoint was never configured
// for, the endpoint would log in there with its own credentials: so it refuses, the message that asked for
// it goes to the error queue saying why, and nothing connects — unless the user listed that broker in
// trustedConnections.
describe('scenario: a reply to a broker nobody configured never connects; the message goes to the error queue with the reason', function () {
  this.timeout(30_000);
  const world = new MemoryWorld();
  const factories: RabbitMqQueueFactory[] = [];
  let fake: FakeAmqpListener;

  before(async () => {
    fake = await FakeAmqpListener.listen('127.0.0.2');
  });
  after(async () => {
    await world.stopAll();
    await fake.close();
    for (const f of factories) await f.close();
  });

  function endpoint(name: string, options: Partial<EndpointOptions> = {}) {
    // The endpoint also speaks RabbitMQ, with credentials of its own (for brokers it is configured for).
    const rabbit = new RabbitMqQueueFactory({ username: 'oncebus-app', password: PASSWORD, connectAttempts: 1, reconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    factories.push(rabbit);
    return world.endpoint(name, { handlers: [Answers], handlerTimeout: '2s', stopTimeout: '1s', ...options }, [], (c) => c.bind(TYPES.QueueFactory).toConstantValue(rabbit)).bus;
  }

  async function pingFrom(name: string, replyTo: string): Promise<string> {
    const tm = emptyTransportMessage();
    tm.messageId = randomUUID();
    tm.messageType = 'test.Ping';
    tm.senderInboxWorkQueueUri = replyTo;
    tm.message = Buffer.from('{"n":1}');
    await world.broker.create(`memory://${name}`).enqueue(tm, serializeTransportMessage(tm));
    return tm.messageId;
  }

  it('refuses the reply: the Ping goes to the error queue, once, with UntrustedDestinationError, and the fake broker sees nothing', async () => {
    const bus = endpoint('replier');
    await bus.start();
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const id = await pingFrom('replier', `rabbitmq://127.0.0.2:${fake.port}/replies`);
    const [[copy, reason]] = await failed;
    expect(copy.messageId).to.equal(id);
    expect(reason).to.match(new RegExp(`refused to send to rabbitmq://127.0.0.2:${fake.port}: not a connection this endpoint is configured for`));
    expect(copy.failureMessages, 'not retried').to.have.length(1);
    expect(copy.failureMessages[0]).to.match(/UntrustedDestinationError/);
    expect(world.messagesIn('replier-error').map((m) => m.messageId)).to.deep.equal([id]);
    expect(fake.connections, 'connections to the unconfigured broker').to.equal(0);
    await bus.stop();
  });

  it('sends it when the user trusts that broker (trustedConnections): then it does connect, and would log in', async () => {
    const bus = endpoint('trusting', { trustedConnections: [`rabbitmq://127.0.0.2:${fake.port}`] });
    await bus.start();
    await pingFrom('trusting', `rabbitmq://127.0.0.2:${fake.port}/replies`);
    await eventually(() => fake.received.includes(PASSWORD), 'the trusted broker was offered the credentials', 20_000);
    expect(fake.connections).to.be.above(0);
  });
});
