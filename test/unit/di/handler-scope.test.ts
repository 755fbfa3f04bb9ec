import 'reflect-metadata';
import { expect } from 'chai';
import { inject, injectable } from 'inversify';
import { handlesMessage } from '../../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../../src/handling/message-handler.js';
import { waitForEvents } from '../../support/latch.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { Ping, PlaceOrder } from '../../support/messages.js';

const instances = { transient: new Set<object>(), singleton: new Set<object>() };
const REPOSITORY = Symbol('repository');

@injectable()
@handlesMessage(PlaceOrder)
class TransientHandler implements IMessageHandler<PlaceOrder> {
  constructor(@inject(REPOSITORY) readonly repository: string[]) {}
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    instances.transient.add(this);
    this.repository.push(ctx.message.orderId);
  }
}

@injectable()
@handlesMessage(Ping)
class SingletonHandler implements IMessageHandler<Ping> {
  handle(): void {
    instances.singleton.add(this);
  }
}

describe('DI: handlers are resolved from the container for each message, honouring the binding scope', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('creates a transient handler per message (with its dependencies injected) and reuses a singleton', async () => {
    const repository: string[] = [];
    const { bus } = world.endpoint('di', { handlers: [TransientHandler, SingletonHandler] }, [], (c) => {
      c.bind(REPOSITORY).toConstantValue(repository);
      c.bind(SingletonHandler).toSelf().inSingletonScope();
    });
    await bus.start();
    const done = waitForEvents(bus.events, 'messageHandled', 4);
    await bus.send(new PlaceOrder('1'), { local: true });
    await bus.send(new PlaceOrder('2'), { local: true });
    await bus.send(new Ping(1), { local: true });
    await bus.send(new Ping(2), { local: true });
    await done;
    expect(instances.transient.size).to.equal(2);
    expect(instances.singleton.size).to.equal(1);
    expect(repository.sort()).to.deep.equal(['1', '2']);
  });
});
