import { expect } from 'chai';
import { ConfigurationError } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { TestHarness } from '../../src/testing/index.js';
import { OrderPlaced, PlaceOrder } from '../support/messages.js';

const handled: string[] = [];
@handlesMessage(PlaceOrder)
class PlaceOrderHandler implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    handled.push(`${ctx.message.orderId} from '${ctx.transportMessage.senderInboxWorkQueueUri}'`);
  }
}
@handlesMessage(OrderPlaced)
class OrderPlacedHandler implements IMessageHandler<OrderPlaced> {
  handle(ctx: IHandlerContext<OrderPlaced>): void {
    handled.push(`placed ${ctx.message.orderId}`);
  }
}

describe('scenario: a send-only endpoint declares no inbox, error or deferred queue, and sends and publishes', () => {
  const harness = new TestHarness();
  after(() => harness.stop());

  it('sends by route and publishes to subscribers; its envelopes name no sender, and no queue is made for it', async () => {
    harness.endpoint('orders', { handlers: [PlaceOrderHandler] });
    harness.endpoint('audit', { handlers: [OrderPlacedHandler], subscriptions: [OrderPlaced] });
    const web = harness.endpoint('web', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [PlaceOrder] }] }] });
    await harness.start();
    const sent = await web.send(new PlaceOrder('A-1'));
    await web.publish(new OrderPlaced('A-1'));
    await harness.settled();
    expect(sent.senderInboxWorkQueueUri).to.equal('');
    expect(handled).to.have.members(["A-1 from ''", 'placed A-1']);
    expect(harness.broker.queueNames().filter((n) => n.startsWith('web'))).to.deep.equal([]);
  });

  it('refuses handlers, subscriptions or idempotence without an inbox, naming them', async () => {
    const bus = new TestHarness().endpoint('lost', { inbox: undefined, handlers: [PlaceOrderHandler], idempotence: true });
    const error = await bus.start().then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as Error).message).to.match(/^inbox: is required: handlers, idempotence need an inbox to receive on — /);
  });

  it('refuses a local send, which has nowhere to go', async () => {
    const web = harness.endpoint('web-local', { inbox: undefined });
    await web.start();
    const error = await web.send(new PlaceOrder('B-1'), { local: true }).then(() => null, (e: unknown) => e);
    expect((error as Error).message).to.match(/^send options\.local: a send-only endpoint has no inbox to send to/);
  });
});
