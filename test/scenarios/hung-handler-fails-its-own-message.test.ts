import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';

const handled: string[] = [];
const aborted: string[] = [];

/** Order 'hang' never finishes and ignores its signal; the others finish at once. */
@handlesMessage(PlaceOrder)
class SometimesHangs implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    if (ctx.message.orderId === 'hang') {
      ctx.signal.addEventListener('abort', () => aborted.push(String((ctx.signal.reason as Error).message)));
      await new Promise(() => undefined);
    }
    handled.push(ctx.message.orderId);
  }
}

describe('scenario: a handler that never returns fails its own message, not its neighbours', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('times the handler out (its signal aborts), retries it, then moves it to the error queue; other messages go on', async () => {
    const { bus } = world.endpoint('hang', {
      handlers: [SometimesHangs],
      idempotence: true,
      handlerTimeout: '200ms',
      inbox: { workQueueUri: 'memory://hang', errorQueueUri: 'memory://hang-error', threadCount: 2, maximumFailureCount: 2, durationToIgnoreOnFailure: ['0ms'] },
    });
    await bus.start();
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const others = waitForEvents(bus.events, 'messageHandled', 3);
    const hung = await bus.send(new PlaceOrder('hang'), { local: true });
    for (const id of ['a', 'b', 'c']) await bus.send(new PlaceOrder(id), { local: true });
    await others;
    const [[copy, reason]] = await failed;
    expect(copy.messageId).to.equal(hung.messageId);
    expect(reason).to.match(/failed 2 time/);
    expect(copy.failureMessages).to.have.length(2);
    expect(copy.failureMessages.every((line) => /HandlerTimeoutError.*handlerTimeout \(200 ms\)/.test(line))).to.equal(true);
    expect(handled.sort()).to.deep.equal(['a', 'b', 'c']);
    expect(aborted, 'the handler was told, each time').to.have.length(2);
    // Its claim was rolled back with the unit of work: nothing holds it.
    expect(world.idempotence.rows.has(`memory://hang\u0000${hung.messageId}`)).to.equal(false);
  });
});
