import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';

const handledAt: { id: string; at: number }[] = [];

@handlesMessage(PlaceOrder)
class RecordingHandler implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    handledAt.push({ id: ctx.message.orderId, at: Date.now() });
  }
}

describe('scenario: a deferred message waits in the deferred queue until due; an expired one is dropped', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('is not handled before its deferUntil, then is handled once', async () => {
    const { bus } = world.endpoint('defer', { handlers: [RecordingHandler] });
    await bus.start();
    const deferred = waitForEvents(bus.events, 'messageDeferred');
    const handled = waitForEvents(bus.events, 'messageHandled');
    const due = Date.now() + 300;
    await bus.send(new PlaceOrder('later'), { local: true, deferUntil: new Date(due) });
    await deferred;
    await handled;
    const record = handledAt.find((h) => h.id === 'later');
    expect(record, 'handled').to.not.equal(undefined);
    expect(record!.at).to.be.at.least(due);
    expect(handledAt.filter((h) => h.id === 'later')).to.have.length(1);
    expect(world.messagesIn('defer-deferred')).to.have.length(0);
  });

  it('drops a message whose expiry has passed, with an event, without handling it', async () => {
    const { bus } = world.endpoint('expire', { handlers: [RecordingHandler] });
    await bus.start();
    const expired = waitForEvents(bus.events, 'messageExpired');
    const sent = await bus.send(new PlaceOrder('stale'), { local: true, expiresAt: Date.now() - 1 });
    const [[tm]] = await expired;
    expect(tm.messageId).to.equal(sent.messageId);
    expect(handledAt.some((h) => h.id === 'stale')).to.equal(false);
    expect(world.messagesIn('expire')).to.have.length(0);
    expect(world.messagesIn('expire-error')).to.have.length(0);
  });
});
