import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';

let release: (() => void) | null = null;
const completed: string[] = [];
let sawAbort = false;

@handlesMessage(PlaceOrder)
class GatedHandler implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    if (ctx.message.orderId === 'stuck') {
      // Ignores everything until aborted: stop must release it, not lose it.
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = true;
      throw new Error('aborted by stop');
    }
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    completed.push(ctx.message.orderId);
  }
}

describe('scenario: stop() lets in-flight messages finish, or releases them, and loses nothing', () => {
  it('waits for an in-flight handler to finish before stopping', async () => {
    const world = new MemoryWorld();
    const { bus } = world.endpoint('stop1', { handlers: [GatedHandler] });
    await bus.start();
    await bus.send(new PlaceOrder('slow'), { local: true });
    await eventually(() => release !== null, 'the handler is running');
    const stopping = bus.stop();
    setTimeout(() => release!(), 50);
    await stopping;
    expect(completed).to.deep.equal(['slow']);
    expect(world.count('stop1')).to.equal(0);
  });

  it('after the stop timeout, aborts the handler and the message stays in the queue for the next start', async () => {
    const world = new MemoryWorld();
    const { bus } = world.endpoint('stop2', { handlers: [GatedHandler], stopTimeout: '100ms' });
    await bus.start();
    const released = waitForEvents(bus.events, 'messageReleased', 1, () => true, 5000).catch(() => null);
    const sent = await bus.send(new PlaceOrder('stuck'), { local: true });
    await eventually(() => world.broker.stateOf('memory://stop2').inFlight.size === 1, 'the message is in flight');
    await bus.stop();
    await released;
    expect(sawAbort).to.equal(true);
    const left = world.messagesIn('stop2');
    expect(left.map((m) => m.messageId)).to.deep.equal([sent.messageId]);
    expect(world.messagesIn('stop2-error')).to.have.length(0);
  });
});
