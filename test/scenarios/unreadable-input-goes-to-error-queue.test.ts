import { expect } from 'chai';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IMessageHandler } from '../../src/handling/message-handler.js';

import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { Ping, PlaceOrder } from '../support/messages.js';
import { FAILURE_REASON_HEADER, SOURCE_QUEUE_HEADER, UNREADABLE_MESSAGE_TYPE } from '../../src/envelope/oncebus-headers.js';

let handled = 0;

@handlesMessage(PlaceOrder)
class CountingHandler implements IMessageHandler<PlaceOrder> {
  handle(): void {
    handled++;
  }
}

/** Puts raw bytes on a queue as a foreign producer would. */
async function putRaw(world: MemoryWorld, queue: string, bytes: Uint8Array, priority = 0): Promise<void> {
  const tm = emptyTransportMessage();
  tm.priority = priority;
  await world.broker.create(`memory://${queue}`).enqueue(tm, bytes);
}

function envelope(messageType: string, body: Uint8Array) {
  const tm = emptyTransportMessage();
  tm.messageId = `bad-${messageType}-${body.length}`;
  tm.messageType = messageType;
  tm.message = body;
  return tm;
}

describe('scenario: input the endpoint cannot read goes to the error queue with the reason, and the endpoint lives on', () => {
  const world = new MemoryWorld();
  const name = 'bad-input';
  let bus: Awaited<ReturnType<MemoryWorld['endpoint']>>['bus'];

  before(async () => {
    ({ bus } = world.endpoint(name, { handlers: [CountingHandler] }));
    await bus.start();
  });
  after(() => world.stopAll());

  it('keeps the raw bytes of a corrupt envelope (not JSON) in the error queue', async () => {
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const garbage = Buffer.from([0xff, 0x00, 0x13, 0x37, 0x7b]);
    await putRaw(world, name, garbage);
    const [[wrapper, reason]] = await failed;
    expect(wrapper.messageType).to.equal(UNREADABLE_MESSAGE_TYPE);
    expect(Buffer.from(wrapper.message).equals(garbage), 'raw bytes kept').to.equal(true);
    expect(wrapper.headers[SOURCE_QUEUE_HEADER]).to.equal(`memory://${name}`);
    expect(wrapper.headers[FAILURE_REASON_HEADER]).to.match(/not JSON/);
    expect(reason).to.match(/CorruptEnvelopeError/);
    const inError = world.messagesIn(`${name}-error`).filter((m) => m.messageId === wrapper.messageId);
    expect(inError).to.have.length(1);
  });

  it('keeps an envelope missing its messageId, and an empty body, as unreadable', async () => {
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 2);
    await putRaw(world, name, Buffer.from(JSON.stringify({ messageType: 'x', message: '' })));
    await putRaw(world, name, new Uint8Array(0));
    const seen = await failed;
    expect(seen.map(([tm]) => tm.messageType)).to.deep.equal([UNREADABLE_MESSAGE_TYPE, UNREADABLE_MESSAGE_TYPE]);
    expect(seen[0]![0].headers[FAILURE_REASON_HEADER]).to.match(/messageId/);
  });

  it('keeps an envelope whose messageId no store could key (a NUL, 201 characters) as unreadable, not retried', async () => {
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 2);
    await putRaw(world, name, Buffer.from(JSON.stringify({ messageId: 'a\u0000b', messageType: 'test.PlaceOrder', message: '' })));
    await putRaw(world, name, Buffer.from(JSON.stringify({ messageId: 'x'.repeat(201), messageType: 'test.PlaceOrder', message: '' })));
    const seen = await failed;
    expect(seen.map(([tm]) => tm.messageType)).to.deep.equal([UNREADABLE_MESSAGE_TYPE, UNREADABLE_MESSAGE_TYPE]);
    expect(seen.map(([tm]) => tm.headers[FAILURE_REASON_HEADER])).to.satisfy((reasons: string[]) => /control character/.test(reasons[0]!) && /longer than 200/.test(reasons[1]!));
    expect(seen.map(([tm]) => tm.failureMessages.length), 'one failure recorded: not retried').to.deep.equal([1, 1]);
  });

  it('moves an unknown message type to the error queue with the reason, without retrying', async () => {
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const tm = envelope('nobody.KnowsThis', Buffer.from('{}'));
    await putRaw(world, name, serializeTransportMessage(tm));
    const [[copy, reason]] = await failed;
    expect(copy.messageId).to.equal(tm.messageId);
    expect(reason).to.match(/unknown message type 'nobody.KnowsThis'/);
    expect(copy.failureMessages).to.have.length(1);
  });

  it('moves a body that will not deserialize to the error queue with the reason', async () => {
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const tm = envelope('test.PlaceOrder', Buffer.from('{"orderId": '));
    await putRaw(world, name, serializeTransportMessage(tm));
    const [[copy, reason]] = await failed;
    expect(copy.messageId).to.equal(tm.messageId);
    expect(reason).to.match(/deserializ|JSON/i);
    expect(handled).to.equal(0);
  });

  it('moves a body that is JSON but not an object (null, a number, a list) to the error queue, never handled with default fields', async () => {
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 3);
    for (const body of ['null', '42', '[1,2]']) await putRaw(world, name, serializeTransportMessage(envelope('test.PlaceOrder', Buffer.from(body))));
    const seen = await failed;
    for (const [, reason] of seen) expect(reason).to.match(/not a JSON object/);
    expect(handled).to.equal(0);
  });

  it('moves a known type with no handler here to the error queue', async () => {
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const sent = await bus.send(new Ping(1), { local: true });
    const [[copy, reason]] = await failed;
    expect(copy.messageId).to.equal(sent.messageId);
    expect(reason).to.match(/no handler for message type 'test.Ping'/);
  });

  it('still handles good messages after all of that', async () => {
    const ok = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new PlaceOrder('fine'), { local: true });
    await ok;
    expect(handled).to.equal(1);
    expect(world.messagesIn(name)).to.have.length(0);
  });
});
