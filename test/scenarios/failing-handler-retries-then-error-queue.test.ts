import { expect } from 'chai';
import { UnrecoverableHandlerError } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { Ping, PlaceOrder } from '../support/messages.js';

let attempts = 0;
let unrecoverableAttempts = 0;

@handlesMessage(PlaceOrder)
class AlwaysFails implements IMessageHandler<PlaceOrder> {
  handle(): void {
    attempts++;
    throw new Error(`boom ${attempts}`);
  }
}

@handlesMessage(Ping)
class Unrecoverable implements IMessageHandler<Ping> {
  handle(ctx: IHandlerContext<Ping>): void {
    unrecoverableAttempts++;
    throw new UnrecoverableHandlerError(`invalid ping ${ctx.message.n}`);
  }
}

describe('scenario: a handler that keeps failing is retried per policy, then moved to the error queue', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('retries maximumFailureCount times through the deferred queue, recording every failure', async () => {
    const { bus } = world.endpoint('retry', {
      handlers: [AlwaysFails],
      inbox: {
        workQueueUri: 'memory://retry',
        errorQueueUri: 'memory://retry-error',
        deferredQueueUri: 'memory://retry-deferred',
        maximumFailureCount: 3,
        durationToIgnoreOnFailure: ['30ms', '60ms'],
        durationToSleepWhenIdle: ['5ms'],
      },
    });
    await bus.start();
    const retried = waitForEvents(bus.events, 'messageRetried', 2);
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const sent = await bus.send(new PlaceOrder('o-1'), { local: true });
    const retries = await retried;
    const [[errorCopy, reason]] = await failed;

    expect(attempts).to.equal(3);
    expect(retries.map(([tm]) => tm.failureMessages.length)).to.deep.equal([1, 2]);
    expect(retries[0]![0].ignoreTillDate, 'first back-off applied').to.be.greaterThan(sent.sendDate);
    expect(errorCopy.messageId, 'same message, not a new one').to.equal(sent.messageId);
    expect(errorCopy.failureMessages).to.have.length(3);
    expect(errorCopy.failureMessages[2]).to.match(/Error: boom 3/);
    expect(reason).to.match(/maximumFailureCount is 3/);
    const inError = world.messagesIn('retry-error');
    expect(inError.map((m) => m.messageId)).to.deep.equal([sent.messageId]);
    expect(world.messagesIn('retry')).to.have.length(0);
    expect(world.messagesIn('retry-deferred')).to.have.length(0);
  });

  it('sends an UnrecoverableHandlerError straight to the error queue after one attempt', async () => {
    const { bus } = world.endpoint('unrecoverable', { handlers: [Unrecoverable] });
    await bus.start();
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const sent = await bus.send(new Ping(5), { local: true });
    const [[copy, reason]] = await failed;
    expect(unrecoverableAttempts).to.equal(1);
    expect(copy.messageId).to.equal(sent.messageId);
    expect(copy.failureMessages).to.have.length(1);
    expect(copy.failureMessages[0]).to.match(/invalid ping 5.*ONCEBUS_UNRECOVERABLE/);
    expect(reason).to.equal('unrecoverable error');
    expect(world.messagesIn('unrecoverable-error')).to.have.length(1);
  });
});
