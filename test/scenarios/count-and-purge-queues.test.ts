import { expect } from 'chai';
import { BusStateError, QueueOperationUnsupportedError } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IMessageHandler } from '../../src/handling/message-handler.js';
import type { IQueue, IQueueFactory } from '../../src/transport/queue.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';
import { TYPES } from '../../src/di/tokens.js';

@handlesMessage(PlaceOrder)
class AlwaysFails implements IMessageHandler<PlaceOrder> {
  handle(): void {
    throw new Error('no');
  }
}

/** A transport that can neither count nor purge (as Azure Service Bus cannot). */
const plainFactory: IQueueFactory = {
  scheme: 'plain',
  create: (uri: string): IQueue => ({
    uri,
    getMessage: async () => null,
    acknowledge: async () => undefined,
    release: async () => undefined,
    enqueue: async () => undefined,
    close: async () => undefined,
  }) as unknown as IQueue,
};

describe('scenario: counting and purging a queue through the bus', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('counts what waits in the error queue, purges it, and counts nothing after', async () => {
    const { bus } = world.endpoint('counted', { handlers: [AlwaysFails], inbox: { maximumFailureCount: 1 } as never });
    await bus.start();
    for (const id of ['a', 'b', 'c']) await bus.send(new PlaceOrder(id), { local: true });
    for (let i = 0; i < 200 && (await bus.countMessages('memory://counted-error')) < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await bus.countMessages('memory://counted-error')).to.equal(3);
    expect(await bus.countMessages()).to.equal(0); // the inbox, by default
    await bus.purgeQueue('memory://counted-error');
    expect(await bus.countMessages('memory://counted-error')).to.equal(0);
  });

  it("refuses to purge the endpoint's own inbox while it runs, and operations before start", async () => {
    const { bus } = world.endpoint('guarded');
    const early = await bus.countMessages().then(() => null, (e: unknown) => e);
    expect(early).to.be.instanceOf(BusStateError);
    await bus.start();
    const own = await bus.purgeQueue('memory://guarded').then(() => null, (e: unknown) => e);
    expect(own).to.be.instanceOf(BusStateError);
  });

  it('says so, typed, when the transport cannot count or purge', async () => {
    const { bus } = world.endpoint('plain-user', {}, [], (c) => c.bind(TYPES.QueueFactory).toConstantValue(plainFactory));
    await bus.start();
    const count = await bus.countMessages('plain://somewhere').then(() => null, (e: unknown) => e);
    expect(count).to.be.instanceOf(QueueOperationUnsupportedError);
    expect((count as Error).message).to.equal("the transport of 'plain://somewhere' cannot count its messages — use the broker's own tools to see the queue's depth");
    const purge = await bus.purgeQueue('plain://somewhere').then(() => null, (e: unknown) => e);
    expect(purge).to.be.instanceOf(QueueOperationUnsupportedError);
  });
});
