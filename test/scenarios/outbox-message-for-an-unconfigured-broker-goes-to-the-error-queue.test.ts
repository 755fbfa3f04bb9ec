import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TYPES } from '../../src/di/tokens.js';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { FAILURE_REASON_HEADER, UNREADABLE_MESSAGE_TYPE } from '../../src/envelope/oncebus-headers.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { FakeAmqpListener } from '../support/fake-amqp-listener.js';
import { eventually } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';

// The outbox forwards each envelope to the recipient it names. The endpoint checked that recipient when
// it wrote the envelope; bytes someone else put in the outbox queue were checked by nobody. One naming a
// broker the endpoint was not configured for goes to the outbox's error queue — not connected to, and not
// released to come back forever.
describe('scenario: an outbox message for a broker nobody configured goes to the outbox error queue, never connected to', function () {
  this.timeout(30_000);
  const world = new MemoryWorld();
  const rabbit = new RabbitMqQueueFactory({ username: 'oncebus-app', password: 'outbox-s3cret', connectAttempts: 1 });
  let fake: FakeAmqpListener;

  before(async () => {
    fake = await FakeAmqpListener.listen('127.0.0.2');
  });
  after(async () => {
    await world.stopAll();
    await fake.close();
    await rabbit.close();
  });

  it('moves the raw bytes to the outbox error queue with the reason', async () => {
    const outbox = { workQueueUri: 'memory://fwd-outbox', errorQueueUri: 'memory://fwd-outbox-error', durationToSleepWhenIdle: ['5ms'] };
    const { bus } = world.endpoint('fwd', { outbox }, [], (c) => c.bind(TYPES.QueueFactory).toConstantValue(rabbit));
    await bus.start();
    const tm = emptyTransportMessage();
    tm.messageId = randomUUID();
    tm.messageType = 'test.Ping';
    tm.recipientInboxWorkQueueUri = `rabbitmq://127.0.0.2:${fake.port}/loot`;
    const bytes = serializeTransportMessage(tm);
    await world.broker.create('memory://fwd-outbox').enqueue(tm, bytes);
    await eventually(() => world.count('fwd-outbox-error') === 1, 'the outbox error queue holds it');
    const [wrapper] = world.messagesIn('fwd-outbox-error');
    expect(wrapper!.messageType).to.equal(UNREADABLE_MESSAGE_TYPE);
    expect(Buffer.from(wrapper!.message).equals(bytes), 'raw bytes kept').to.equal(true);
    expect(wrapper!.headers[FAILURE_REASON_HEADER]).to.match(/refused to send to rabbitmq:\/\/127\.0\.0\.2:\d+/);
    expect(world.count('fwd-outbox'), 'not released to come back').to.equal(0);
    expect(fake.connections).to.equal(0);
  });
});
