import 'reflect-metadata';
import { expect } from 'chai';
import { ServiceBusClient } from '@azure/service-bus';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, MemoryIdempotenceStore, type MemoryTransaction, TYPES, UNREADABLE_MESSAGE_TYPE } from '../../../src/index.js';
import { deserializeTransportMessage } from '../../../src/extending.js';
import { startAsb } from '../../support/asb.js';
import { eventually, waitForEvents } from '../../support/latch.js';
import { PlaceOrder } from '../../support/messages.js';

const effects: string[] = [];
let slowFirst = true;

@handlesMessage(PlaceOrder)
class SlowOnceHandler implements IMessageHandler<PlaceOrder, MemoryTransaction | undefined> {
  async handle(ctx: IHandlerContext<PlaceOrder, MemoryTransaction | undefined>): Promise<void> {
    if (slowFirst) {
      slowFirst = false;
      // Outlives the peek-lock (300 ms, no renewal): the service gives the message to someone else meanwhile.
      await new Promise((r) => setTimeout(r, 900));
    }
    if (ctx.transaction) ctx.transaction.onCommit(() => effects.push(ctx.message.orderId));
  }
}

describe('an endpoint over Azure Service Bus (real SDK, AMQP test broker)', function () {
  this.timeout(60_000);
  let asb: Awaited<ReturnType<typeof startAsb>>;
  before(async () => {
    asb = await startAsb();
  });
  after(() => asb.stop());

  function endpoint(inbox: string, error: string, idempotence: boolean): IServiceBus {
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(asb.factory);
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(new MemoryIdempotenceStore());
    container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(container, {
      inbox: { workQueueUri: `azuresb://test/${inbox}`, errorQueueUri: `azuresb://test/${error}`, threadCount: 2, durationToIgnoreOnFailure: ['200ms'], durationToSleepWhenIdle: ['20ms', '100ms'] },
      handlers: [SlowOnceHandler],
      idempotence,
    });
    return container.get<IServiceBus>(TYPES.ServiceBus);
  }

  it('a lock lost mid-handler: the message comes back, and with idempotence on its effect happens once', async () => {
    const inbox = asb.queue({ lockDurationMs: 300 });
    const error = asb.queue();
    const bus = endpoint(inbox, error, true);
    await bus.start();
    try {
      await bus.send(new PlaceOrder('locked-out'), { local: true });
      await eventually(() => asb.broker.queues.get(inbox)!.depth === 0 && effects.length > 0, 'the message is completed', 20_000);
      expect(effects).to.deep.equal(['locked-out']);
      expect(asb.broker.queues.get(error)!.depth).to.equal(0);
    } finally {
      await bus.stop();
    }
  });

  it('a body that is not an oncebus envelope goes to the error queue with the reason; the endpoint lives on', async () => {
    const inbox = asb.queue();
    const error = asb.queue();
    const bus = endpoint(inbox, error, false);
    await bus.start();
    try {
      const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
      const raw = new ServiceBusClient(asb.broker.connectionString);
      await raw.createSender(inbox).sendMessages({ body: Buffer.from([0x00, 0xff, 0x10]) });
      await raw.close();
      const [[wrapper]] = await failed;
      expect(wrapper.messageType).to.equal(UNREADABLE_MESSAGE_TYPE);
      const errorQueue = asb.factory.create(`azuresb://test/${error}`);
      let got: Awaited<ReturnType<typeof errorQueue.getMessage>> = null;
      await eventually(async () => (got = await errorQueue.getMessage()) !== null, 'the error-queue copy');
      const kept = deserializeTransportMessage(got!.body);
      expect(Buffer.from(kept.message).toString('hex')).to.equal('00ff10');
      await errorQueue.acknowledge(got!.token);
      await errorQueue.close();
      // And it still handles good messages.
      const handled = waitForEvents(bus.events, 'messageHandled');
      await bus.send(new PlaceOrder('fine'), { local: true });
      await handled;
    } finally {
      await bus.stop();
    }
  });
});
