import { expect } from 'chai';
import type { IOncebusModule, PipelineBuilders } from '../../src/modules/oncebus-module.js';
import { TYPES } from '../../src/di/tokens.js';
import { SimulatedCrash } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';

/** The endpoint's clock: real time plus a jump the crash below makes. */
let offset = 0;
const clock = () => Date.now() + offset;
let runs = 0;
const shipped: string[] = [];

@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    runs++;
    await ctx.send(new ShipOrder(ctx.message.orderId));
  }
}

@handlesMessage(ShipOrder)
class ShipHandler implements IMessageHandler<ShipOrder> {
  handle(ctx: IHandlerContext<ShipOrder>): void {
    shipped.push(ctx.message.orderId);
  }
}

/** Crashes once right after the commit, and by the time the copy comes back the message has expired. */
class CrashAfterCommitThenExpire implements IOncebusModule {
  private done = false;
  register(pipelines: PipelineBuilders): void {
    pipelines.inbox.addObserver({
      event: 'onAfterCommitUnitOfWork',
      execute: () => {
        if (this.done) return;
        this.done = true;
        offset = 120_000;
        throw new SimulatedCrash('inbox.onAfterCommitUnitOfWork');
      },
    });
  }
}

describe('scenario: a copy that expired after its unit of work committed still sends what the work owes', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('does not drop the redelivered copy: it skips the handler and flushes the stored send', async () => {
    const routes = [{ uri: 'memory://exp-shipping', specifications: [{ types: [ShipOrder] }] }];
    const shipping = world.endpoint('exp-shipping', { handlers: [ShipHandler] });
    const sales = world.endpoint('exp-sales', { handlers: [PlaceOrderHandler], idempotence: true, routes }, [new CrashAfterCommitThenExpire()], (c) =>
      c.bind(TYPES.Clock).toConstantValue(clock),
    );
    await shipping.bus.start();
    await sales.bus.start();
    const expired: string[] = [];
    sales.bus.events.on('messageExpired', (tm) => expired.push(tm.messageId));
    const flushed = waitForEvents(sales.bus.events, 'messageFlushed');
    const delivered = waitForEvents(shipping.bus.events, 'messageHandled');
    const sent = await sales.bus.send(new PlaceOrder('e1'), { local: true, expiresAt: Date.now() + 60_000 });
    await flushed;
    await delivered;
    expect(runs, 'the handler ran once').to.equal(1);
    expect(shipped).to.deep.equal(['e1']);
    expect(expired, 'not dropped as expired').to.deep.equal([]);
    expect(world.idempotence.rows.get(`memory://exp-sales\u0000${sent.messageId}`)?.status).to.equal('completed');
  });

  it('still drops an expired message whose work never committed', async () => {
    const idle = world.endpoint('exp-idle', { handlers: [PlaceOrderHandler], idempotence: true, routes: [{ uri: 'memory://exp-shipping', specifications: [{ types: [ShipOrder] }] }] });
    await idle.bus.start();
    const expired = waitForEvents(idle.bus.events, 'messageExpired');
    runs = 0;
    await idle.bus.send(new PlaceOrder('e2'), { local: true, expiresAt: Date.now() - 1 });
    await expired;
    expect(runs).to.equal(0);
  });
});
