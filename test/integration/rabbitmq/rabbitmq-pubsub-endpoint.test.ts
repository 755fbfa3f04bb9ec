import 'reflect-metadata';
import { expect } from 'chai';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import {
  addOncebus,
  createSilentLogger,
  type EndpointOptions,
  handlesMessage,
  type IHandlerContext,
  type IMessageHandler,
  type IServiceBus,
  MemoryIdempotenceStore,
  messageType,
  TYPES,
} from '../../../src/index.js';
import { exchangeNameFor, RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable, rabbitUri } from '../../support/rabbitmq.js';

// A type of this file's own: its exchange is not shared with other tests publishing on the same broker.
@messageType('pubsub-test.ShipOrder')
class ShipOrder {
  constructor(readonly orderId = '') {}
}
@messageType('pubsub-test.OrderShipped')
class OrderShipped {
  constructor(readonly orderId = '') {}
}

/** subscriber name → orderIds handled, in order. */
const handled = new Map<string, string[]>();
const record = (subscriber: string, orderId: string): void => {
  handled.set(subscriber, [...(handled.get(subscriber) ?? []), orderId]);
};
const recorder = (subscriber: string): new () => IMessageHandler<OrderShipped> => {
  @handlesMessage(OrderShipped)
  class Recorder implements IMessageHandler<OrderShipped> {
    handle(ctx: IHandlerContext<OrderShipped>): void {
      record(subscriber, ctx.message.orderId);
    }
  }
  return Recorder;
};

/** The publisher's handler: publishes from inside an idempotent unit of work (held back, then flushed). */
@handlesMessage(ShipOrder)
class ShipHandler implements IMessageHandler<ShipOrder> {
  async handle(ctx: IHandlerContext<ShipOrder>): Promise<void> {
    await ctx.publish(new OrderShipped(ctx.message.orderId));
  }
}

describe('publish/subscribe through RabbitMQ exchanges (real broker, no subscription store bound)', function () {
  this.timeout(60_000);
  const names: string[] = [];
  const buses: IServiceBus[] = [];
  let factory: RabbitMqQueueFactory;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    factory = new RabbitMqQueueFactory();
  });
  after(async () => {
    for (const bus of buses.splice(0)) await bus.stop().catch(() => undefined);
    await deleteQueues(names.splice(0));
    const c = await amqp.connect(RABBITMQ_URL).catch(() => null);
    if (c) {
      const ch = await c.createChannel();
      await ch.deleteExchange(exchangeNameFor('pubsub-test.OrderShipped')).catch(() => undefined);
      await c.close().catch(() => undefined);
    }
    await factory?.close();
  });

  function endpoint(name: string, extra: Partial<EndpointOptions>): IServiceBus {
    const base = `pubsub-${name}-${randomUUID().slice(0, 8)}`;
    names.push(base, `${base}-error`);
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(factory);
    container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(new MemoryIdempotenceStore());
    addOncebus(container, {
      name,
      ...extra,
      inbox: { workQueueUri: rabbitUri(base), errorQueueUri: rabbitUri(`${base}-error`), threadCount: 2, durationToIgnoreOnFailure: ['0ms'] },
    });
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    buses.push(bus);
    return bus;
  }

  it('two subscribers each get an event once; a subscriber gets what is published right after its start()', async () => {
    const run = randomUUID().slice(0, 8);
    const publisher = endpoint('publisher', { handlers: [ShipHandler], idempotence: true });
    const billing = endpoint('billing', { handlers: [recorder('billing')], subscriptions: [OrderShipped] });
    const warehouse = endpoint('warehouse', { handlers: [recorder('warehouse')], subscriptions: [OrderShipped] });
    for (const bus of [publisher, billing, warehouse]) await bus.start();

    // From a handler (held back until its unit of work commits, then flushed to the exchange) and directly.
    await publisher.send(new ShipOrder(`${run}-1`), { local: true });
    await publisher.publish(new OrderShipped(`${run}-2`));
    const mine = (who: string) => (handled.get(who) ?? []).filter((id) => id.startsWith(run));
    await eventually(() => mine('billing').length >= 2 && mine('warehouse').length >= 2, 'both subscribers got both events');

    // A third subscriber starts, and the very next publish reaches it: subscribing is a binding, which
    // the broker applies before start() resolves; no publisher holds a list that could be stale.
    const audit = endpoint('audit', { handlers: [recorder('audit')], subscriptions: [OrderShipped] });
    await audit.start();
    await publisher.publish(new OrderShipped(`${run}-3`));
    await eventually(() => mine('audit').length >= 1 && mine('billing').length >= 3 && mine('warehouse').length >= 3, 'every subscriber got the third event');

    // Once each: wait a little for any second copy before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mine('billing')).to.have.members([`${run}-1`, `${run}-2`, `${run}-3`]).and.have.length(3);
    expect(mine('warehouse')).to.have.members([`${run}-1`, `${run}-2`, `${run}-3`]).and.have.length(3);
    expect(mine('audit')).to.deep.equal([`${run}-3`]);
  });
});
