import 'reflect-metadata';
import { expect } from 'chai';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IMessageHandler, type IServiceBus, MemoryBroker, TYPES } from '../../src/index.js';
import type { IQueue, IQueueFactory } from '../../src/extending.js';
import { StaleDeliveryError } from '../../src/transports/rabbitmq/index.js';
import { waitForEvents } from '../support/latch.js';
import { PlaceOrder } from '../support/messages.js';

let handled = 0;

@handlesMessage(PlaceOrder)
class CountingHandler implements IMessageHandler<PlaceOrder> {
  handle(): void {
    handled++;
  }
}

/** memory:// queues whose acknowledge fails as a RabbitMQ delivery of a closed channel does. */
function staleAckFactory(broker: MemoryBroker): IQueueFactory {
  return {
    scheme: 'memory',
    create(uri: string): IQueue {
      const queue = broker.create(uri);
      return new Proxy(queue, {
        get(target, property) {
          if (property === 'acknowledge') return async () => Promise.reject(new StaleDeliveryError({ queueUri: uri }));
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
}

describe('scenario: an acknowledgement lost with its channel (the broker redelivers by itself)', () => {
  it('counts the message handled, and neither releases, retries nor dead-letters it', async () => {
    const broker = new MemoryBroker();
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(staleAckFactory(broker));
    container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(container, {
      inbox: { workQueueUri: 'memory://stale', errorQueueUri: 'memory://stale-error', durationToIgnoreOnFailure: ['0ms'] },
      handlers: [CountingHandler],
    });
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    const released: unknown[] = [];
    const retried: unknown[] = [];
    bus.events.on('messageReleased', (tm) => released.push(tm));
    bus.events.on('messageRetried', (tm) => retried.push(tm));
    await bus.start();
    try {
      const done = waitForEvents(bus.events, 'messageHandled');
      await bus.send(new PlaceOrder('o-stale', 1), { local: true });
      await done;
      expect(handled).to.equal(1);
      expect(released, 'not released: the transport already gave it back').to.deep.equal([]);
      expect(retried).to.deep.equal([]);
      expect(broker.stateOf('memory://stale-error').ready).to.have.length(0);
    } finally {
      await bus.stop();
    }
  });
});
