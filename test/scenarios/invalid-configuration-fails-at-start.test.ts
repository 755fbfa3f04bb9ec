import { expect } from 'chai';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import { OncebusError } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IMessageHandler } from '../../src/handling/message-handler.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { TYPES } from '../../src/di/tokens.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { PlaceOrder, ShipOrder } from '../support/messages.js';

@handlesMessage(PlaceOrder)
class First implements IMessageHandler<PlaceOrder> {
  handle(): void {}
}
@handlesMessage(PlaceOrder)
class Second implements IMessageHandler<PlaceOrder> {
  handle(): void {}
}
class Undecorated implements IMessageHandler<PlaceOrder> {
  handle(): void {}
}

const inbox = (over: Partial<EndpointOptions['inbox']> = {}): EndpointOptions['inbox'] => ({
  workQueueUri: 'memory://cfg',
  errorQueueUri: 'memory://cfg-error',
  deferredQueueUri: 'memory://cfg-deferred',
  ...over,
});

/** start() must reject with a typed error whose message names the setting. */
async function startFails(options: Partial<EndpointOptions>, code: string, setting: RegExp): Promise<void> {
  const world = new MemoryWorld();
  const { bus } = world.endpoint('cfg', options);
  let error: unknown;
  try {
    await bus.start();
  } catch (e) {
    error = e;
  }
  expect(OncebusError.is(error), `typed error, got ${String(error)}`).to.equal(true);
  expect((error as OncebusError).code).to.equal(code);
  expect((error as Error).message).to.match(setting);
  expect(bus.started).to.equal(false);
}

describe('scenario: invalid configuration fails at start() with an error that names the setting', () => {
  const table: [string, Partial<EndpointOptions>, string, RegExp][] = [
    ['an unknown URI scheme', { inbox: inbox({ workQueueUri: 'kafka://orders' }) }, 'ONCEBUS_CONFIGURATION', /inbox\.workQueueUri: unknown queue URI scheme 'kafka'/],
    ['a missing error queue', { inbox: inbox({ errorQueueUri: '' }) }, 'ONCEBUS_CONFIGURATION', /inbox\.errorQueueUri: is not a queue URI \(scheme:\/\/…[^)]*\), got ""/],
    ['an error queue that is the work queue', { inbox: inbox({ errorQueueUri: 'memory://cfg' }) }, 'ONCEBUS_CONFIGURATION', /inbox\.errorQueueUri: must differ/],
    ['a malformed URI', { inbox: inbox({ workQueueUri: 'orders' }) }, 'ONCEBUS_CONFIGURATION', /inbox\.workQueueUri: is not a queue URI \(scheme:\/\/…[^)]*\), got "orders"/],
    ['a bad duration', { inbox: inbox({ durationToIgnoreOnFailure: ['5 parsecs'] }) }, 'ONCEBUS_CONFIGURATION', /inbox\.durationToIgnoreOnFailure\[0\]: is not a duration \(.*\), got "5 parsecs"/],
    ['a bad thread count', { inbox: inbox({ threadCount: 0 }) }, 'ONCEBUS_CONFIGURATION', /inbox\.threadCount: must be at least 1, got 0/],
    ['a misspelt setting', { idempotance: true } as never, 'ONCEBUS_CONFIGURATION', /idempotance: unknown setting; did you mean 'idempotence'\?/],
    ['a misspelt inbox setting', { inbox: { ...inbox(), threadcount: 2 } as never }, 'ONCEBUS_CONFIGURATION', /inbox\.threadcount: unknown setting; did you mean 'threadCount'\?/],
    ['a sent type with no route', { sends: [ShipOrder] }, 'ONCEBUS_CONFIGURATION', /sends\[0\]: message type 'test.ShipOrder' has no route/],
    ['two handlers for one type', { handlers: [First, Second] }, 'ONCEBUS_DUPLICATE_HANDLER', /more than one handler for message type 'test.PlaceOrder'/],
    ['a handler without @handlesMessage', { handlers: [Undecorated as never] }, 'ONCEBUS_CONFIGURATION', /handlers\[0\]: Undecorated has no @handlesMessage/],
    ['retries that wait but no deferred queue', { inbox: inbox({ deferredQueueUri: undefined, durationToIgnoreOnFailure: ['5s'] }) }, 'ONCEBUS_CONFIGURATION', /inbox\.deferredQueueUri: is required/],
    ['a route with a bad regex', { routes: [{ uri: 'memory://x', specifications: [{ regex: '([' }] }] }, 'ONCEBUS_CONFIGURATION', /routes\[0\]\.specifications\[0\]: invalid regex/],
    ['an unknown compression algorithm', { compression: 'zstd' }, 'ONCEBUS_CONFIGURATION', /compression/],
  ];
  for (const [situation, options, code, setting] of table) {
    it(`rejects ${situation}`, () => startFails(options, code, setting));
  }

  it('reports every bad value at once, not only the first', async () => {
    const world = new MemoryWorld();
    const { bus } = world.endpoint('cfg-many', { stopTimeout: 'soon', inbox: inbox({ threadCount: 0, maximumFailureCount: 1.5 }) });
    const error = (await bus.start().then(() => null, (e: unknown) => e)) as Error;
    expect(error.message).to.equal(
      [
        'the endpoint options: 3 problems:',
        '  - inbox.threadCount: must be at least 1, got 0',
        '  - inbox.maximumFailureCount: must be a whole number, got 1.5',
        "  - stopTimeout: is not a duration (a number of ms, or e.g. '250ms', '5s', '2m', '1h', '7d'), got \"soon\"",
        '  — fix the settings above (point the settings file\'s "$schema" at node_modules/oncebus/config/oncebus.schema.json and an editor checks it as you type)',
      ].join('\n'),
    );
  });

  it('rejects idempotence on without a store bound', async () => {
    const world = new MemoryWorld();
    const { bus } = world.endpoint('cfg-idem', { idempotence: true }, [], (c) => c.unbind(Symbol.for('oncebus.IdempotenceServiceFactory')));
    let error: unknown;
    await bus.start().catch((e: unknown) => {
      error = e;
    });
    expect((error as Error).message).to.match(/idempotence: is on, but no idempotence store is bound/);
  });

  it('rejects two queue factories bound for one scheme (the last would take every queue silently)', async () => {
    const world = new MemoryWorld();
    const { bus } = world.endpoint('cfg-two', {}, [], (c) => c.bind(TYPES.QueueFactory).toConstantValue(new MemoryBroker()));
    const error = await bus.start().then(() => null, (e: unknown) => e);
    expect((error as Error).message).to.match(/TYPES\.QueueFactory: two queue factories are bound for the scheme 'memory'/);
  });

  it('names the option path when a transport refuses a queue URI (not just "queue uri")', async () => {
    const world = new MemoryWorld();
    const rabbit = new RabbitMqQueueFactory();
    const { bus } = world.endpoint('cfg-rabbit', { routes: [{ uri: 'rabbitmq://localhost/ship?prefech=5', specifications: [{ types: [ShipOrder] }] }] }, [], (c) =>
      c.bind(TYPES.QueueFactory).toConstantValue(rabbit),
    );
    const error = await bus.start().then(() => null, (e: unknown) => e);
    expect(OncebusError.is(error) && error.setting).to.equal('routes');
    expect((error as Error).message).to.match(/^routes: 'rabbitmq:\/\/localhost\/ship\?prefech=5': unknown parameter 'prefech'/);
    await rabbit.close();
  });

  it('refuses send() before start() with a BusStateError', async () => {
    const world = new MemoryWorld();
    const { bus } = world.endpoint('cfg-early');
    let error: unknown;
    await bus.send(new PlaceOrder()).catch((e: unknown) => {
      error = e;
    });
    expect((error as OncebusError).code).to.equal('ONCEBUS_BUS_STATE');
  });
});
