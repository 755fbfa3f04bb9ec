import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { ShipOrder } from '../support/messages.js';

const shipped: string[] = [];

@handlesMessage(ShipOrder)
class ShipHandler implements IMessageHandler<ShipOrder> {
  handle(ctx: IHandlerContext<ShipOrder>): void {
    shipped.push(ctx.message.orderId);
  }
}

describe('scenario: with an outbox, sends go to the local outbox first and are forwarded to their recipient', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('forwards the message unchanged (same messageId) and leaves the outbox empty', async () => {
    const routes = [{ uri: 'memory://ob-shipping', specifications: [{ types: [ShipOrder] }] }];
    const sales = world.endpoint('ob-sales', { routes, outbox: { workQueueUri: 'memory://ob-outbox', errorQueueUri: 'memory://ob-outbox-error', durationToSleepWhenIdle: ['5ms'] } });
    const shipping = world.endpoint('ob-shipping', { handlers: [ShipHandler] });
    await shipping.bus.start();
    const handled = waitForEvents(shipping.bus.events, 'messageHandled');
    // The recipient is not started yet when the send happens: the outbox holds it meanwhile.
    await sales.bus.start();
    const sent = await sales.bus.send(new ShipOrder('o-9'));
    const [[tm]] = await handled;
    expect(tm.messageId).to.equal(sent.messageId);
    expect(tm.recipientInboxWorkQueueUri).to.equal('memory://ob-shipping');
    expect(shipped).to.deep.equal(['o-9']);
    expect(world.count('ob-outbox')).to.equal(0);
  });
});
