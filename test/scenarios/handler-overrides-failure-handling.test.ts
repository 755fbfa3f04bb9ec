import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { Ping, PlaceOrder } from '../support/messages.js';

let blockedAttempts = 0;

/** Blocks (releases without counting) twice while "a dependency is down", then succeeds. */
@handlesMessage(PlaceOrder)
class BlockingHandler implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    blockedAttempts++;
    if (blockedAttempts <= 2) {
      ctx.failureHandling = 'block';
      throw new Error('dependency down');
    }
  }
}

@handlesMessage(Ping)
class PoisonHandler implements IMessageHandler<Ping> {
  handle(ctx: IHandlerContext<Ping>): void {
    ctx.failureHandling = 'poison';
    throw new Error('this one can never work');
  }
}

describe('scenario: a handler steers its failure: block releases without counting, poison goes straight to the error queue', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it("'block' releases the message unchanged until the handler succeeds", async () => {
    const { bus } = world.endpoint('block', { handlers: [BlockingHandler] });
    await bus.start();
    const released = waitForEvents(bus.events, 'messageReleased', 2);
    const handled = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new PlaceOrder('b'), { local: true });
    await released;
    const [[tm]] = await handled;
    expect(blockedAttempts).to.equal(3);
    expect(tm.failureMessages, 'a block is not a failure').to.have.length(0);
    expect(world.messagesIn('block-error')).to.have.length(0);
  });

  it("'poison' skips the retries", async () => {
    const { bus } = world.endpoint('poison', { handlers: [PoisonHandler] });
    await bus.start();
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    await bus.send(new Ping(), { local: true });
    const [[copy, reason]] = await failed;
    expect(copy.failureMessages).to.have.length(1);
    expect(reason).to.match(/poison/);
  });
});
