import { expect } from 'chai';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { messageType } from '../../src/messages/message-type.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';

@messageType('test.Refund')
class Refund {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}

  /** What a handler trusts: worked out by the class, never chosen by the sender. */
  get needsApproval(): boolean {
    return this.amount > 100;
  }
}

const seen: { instance: boolean; needsApproval: unknown; orderId: string }[] = [];

@handlesMessage(Refund)
class RefundHandler implements IMessageHandler<Refund> {
  handle(ctx: IHandlerContext<Refund>): void {
    seen.push({ instance: ctx.message instanceof Refund, needsApproval: ctx.message.needsApproval, orderId: ctx.message.orderId });
  }
}

// A body is data: JSON.parse keeps "__proto__" as an own key, and copying it onto the instance must not
// turn it into the prototype (an object that is no Refund, whose getters answer what the sender chose).
// Keys that could replace a prototype or a class's behaviour are refused at any depth.
describe('scenario: a body that tries to replace the message class goes to the error queue, never to the handler', () => {
  const world = new MemoryWorld();
  const name = 'hostile-body';
  let bus: Awaited<ReturnType<MemoryWorld['endpoint']>>['bus'];

  before(async () => {
    ({ bus } = world.endpoint(name, { handlers: [RefundHandler] }));
    await bus.start();
  });
  after(() => world.stopAll());

  async function send(id: string, body: string): Promise<string> {
    const tm = emptyTransportMessage();
    tm.messageId = id;
    tm.messageType = 'test.Refund';
    tm.message = Buffer.from(body);
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, (copy) => copy.messageId === id);
    await world.broker.create(`memory://${name}`).enqueue(tm, serializeTransportMessage(tm));
    const [[, reason]] = await failed;
    return reason;
  }

  it('refuses a body whose __proto__ would make the message no Refund, with a forged needsApproval', async () => {
    const reason = await send('proto', '{"orderId":"A-1","amount":5000,"__proto__":{"needsApproval":false}}');
    expect(reason).to.match(/key '__proto__'/);
  });

  it('refuses the same key spelt with an escape', async () => {
    const reason = await send('escaped', '{"orderId":"A-1","amount":5000,"\\u005f_proto__":{"needsApproval":false}}');
    expect(reason).to.match(/key '__proto__'/);
  });

  it('refuses constructor and prototype keys, nested too (what a deep merge would follow to Object.prototype)', async () => {
    expect(await send('ctor', '{"orderId":"A-1","constructor":{"messageType":"admin.Nuke"}}')).to.match(/key 'constructor'/);
    expect(await send('nested', '{"orderId":"A-1","lines":[{"constructor":{"prototype":{"isAdmin":true}}}]}')).to.match(/key '(constructor|prototype)'/);
  });

  it('refuses a field that would shadow the class’s getter', async () => {
    const reason = await send('getter', '{"orderId":"A-1","amount":5000,"needsApproval":false}');
    expect(reason).to.match(/'needsApproval' would shadow a method or accessor of Refund/);
  });

  it('hands the handler a true Refund, whose getter is the class’s', async () => {
    const handled = waitForEvents(bus.events, 'messageHandled');
    await bus.send(new Refund('A-2', 5000), { local: true });
    await handled;
    expect(seen).to.deep.equal([{ instance: true, needsApproval: true, orderId: 'A-2' }]);
  });
});
