import { expect } from 'chai';
import { TransportError } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { IQueue, IQueueFactory } from '../../src/transport/queue.js';
import { INFRASTRUCTURE_FAILURE_LIMIT } from '../../src/recoverability/infrastructure-failures.js';
import { TYPES } from '../../src/di/tokens.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';

/** A transport whose queues take nothing: every send to them fails, as a misconfigured recipient would. */
const refusing: IQueueFactory = {
  scheme: 'refusing',
  create: (uri: string): IQueue => ({
    uri,
    enqueue: () => Promise.reject(new TransportError('this queue takes nothing', { queueUri: uri })),
    getMessage: async () => null,
    acknowledge: async () => undefined,
    release: async () => undefined,
    close: async () => undefined,
  }),
};

let runs = 0;

/** Order 'stuck' stores a send that can never be dispatched; the others a send that can. */
@handlesMessage(PlaceOrder)
class Sends implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    if (ctx.message.orderId === 'stuck') runs++;
    const recipient = ctx.message.orderId === 'stuck' ? 'refusing://nowhere' : 'memory://poison-ship';
    await ctx.send(new ShipOrder(ctx.message.orderId), { recipient });
  }
}

describe('scenario: a message that keeps failing after its commit while others succeed ends in the error queue', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it(`moves it there after ${INFRASTRUCTURE_FAILURE_LIMIT} failures, each recorded; its handler ran once and its send stays owed`, async function () {
    this.timeout(20_000);
    const { bus } = world.endpoint(
      'poison',
      { handlers: [Sends], idempotence: true, inbox: { workQueueUri: 'memory://poison', errorQueueUri: 'memory://poison-error', threadCount: 2, durationToSleepWhenIdle: ['1ms'] } },
      [],
      (c) => c.bind(TYPES.QueueFactory).toConstantValue(refusing),
    );
    await bus.start();
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 15_000);
    const stuck = await bus.send(new PlaceOrder('stuck'), { local: true });
    // Other messages keep succeeding meanwhile: this is no outage.
    let stop = false;
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        await bus.send(new PlaceOrder(`ok-${i}`), { local: true });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const [[copy, reason]] = await failed;
    stop = true;
    await traffic;
    expect(copy.messageId).to.equal(stuck.messageId);
    expect(reason).to.match(/failed 10 times in a row around the infrastructure/);
    expect(copy.failureMessages).to.have.length(INFRASTRUCTURE_FAILURE_LIMIT);
    expect(copy.failureMessages[0]).to.match(/this queue takes nothing/);
    expect(runs, 'the handler ran once: every later attempt only flushed').to.equal(1);
    // Committed: the stored send is still owed, and goes out when the copy is returned (after a fix).
    expect(world.idempotence.rows.get(`memory://poison\u0000${stuck.messageId}`)?.status).to.equal('handled');
  });
});
