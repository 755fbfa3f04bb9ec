import { expect } from 'chai';
import { TYPES } from '../../src/di/tokens.js';
import { isCreateQueue } from '../../src/transport/queue.js';
import { deserializeTransportMessage } from '../../src/envelope/wire-format.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';
import { openSqliteStore } from '../support/sql-subjects.js';

let bus: IServiceBus;
let failNext = false;

/** Sends with bus.send (not ctx.send) to a queue in the same SQLite database as the idempotence store. */
@handlesMessage(PlaceOrder)
class SendsThroughTheBus implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    await bus.send(new ShipOrder(ctx.message.orderId), { recipient: 'sqlite://default/ships' });
    if (failNext) {
      failNext = false;
      throw new Error('fails after sending');
    }
  }
}

describe('scenario: bus.send to a sqlite:// queue from a handler of an idempotent SQLite endpoint', () => {
  const world = new MemoryWorld();
  const store = openSqliteStore();
  after(async () => {
    await world.stopAll();
    await store.dispose();
  });

  it('completes (it joins the handler’s transaction, SQLite’s one writer), and the message arrives once — also when the handler failed once', async () => {
    ({ bus } = world.endpoint(
      'sqlite-send',
      { handlers: [SendsThroughTheBus], idempotence: true, inbox: { workQueueUri: 'memory://sqlite-send', errorQueueUri: 'memory://sqlite-send-error', durationToIgnoreOnFailure: ['0ms'] } },
      [],
      (c) => {
        c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
        c.bind(TYPES.QueueFactory).toConstantValue(store.queues);
      },
    ));
    const ships = store.queues.create('sqlite://default/ships');
    if (isCreateQueue(ships)) await ships.create();
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled', 2, () => true, 5000);
    failNext = true;
    await bus.send(new PlaceOrder('s1'), { local: true });
    await bus.send(new PlaceOrder('s2'), { local: true });
    await handled;
    const ids: string[] = [];
    for (let r = await ships.getMessage(); r; r = await ships.getMessage()) {
      ids.push(JSON.parse(Buffer.from(deserializeTransportMessage(r.body).message).toString()).orderId);
      await ships.acknowledge(r.token);
    }
    await ships.close();
    // s1's first attempt failed after its send: that send rolled back with it, so s1 arrives once too.
    expect(ids.sort()).to.deep.equal(['s1', 's2']);
  });
});
