import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { Ping, Pong } from '../support/messages.js';

const pongs: IHandlerContext<Pong>[] = [];

@handlesMessage(Ping)
class PingHandler implements IMessageHandler<Ping> {
  async handle(ctx: IHandlerContext<Ping>): Promise<void> {
    await ctx.reply(new Pong(ctx.message.n + 1));
  }
}

@handlesMessage(Pong)
class PongHandler implements IMessageHandler<Pong> {
  handle(ctx: IHandlerContext<Pong>): void {
    pongs.push(ctx);
  }
}

describe('scenario: a reply goes back to the sender of the handled message', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('routes the reply by senderInboxWorkQueueUri and keeps the correlation', async () => {
    const client = world.endpoint('rr-client', { handlers: [PongHandler], routes: [{ uri: 'memory://rr-server', specifications: [{ startsWith: 'test.Ping' }] }], sends: [Ping] });
    const server = world.endpoint('rr-server', { handlers: [PingHandler] });
    await server.bus.start();
    await client.bus.start();
    const done = waitForEvents(client.bus.events, 'messageHandled');
    const request = await client.bus.send(new Ping(1), { correlationId: 'c-9' });
    await done;
    expect(pongs).to.have.length(1);
    expect(pongs[0]!.message.n).to.equal(2);
    expect(pongs[0]!.transportMessage.correlationId).to.equal('c-9');
    expect(pongs[0]!.transportMessage.messageReceivedId).to.equal(request.messageId);
    expect(pongs[0]!.transportMessage.senderInboxWorkQueueUri).to.equal('memory://rr-server');
  });
});
