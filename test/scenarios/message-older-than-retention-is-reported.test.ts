import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { TYPES } from '../../src/di/tokens.js';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IMessageHandler } from '../../src/handling/message-handler.js';
import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import type { ILogger } from '../../src/logging/logger.js';

import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { Ping, PlaceOrder } from '../support/messages.js';
import { openSqliteStore } from '../support/sql-subjects.js';
import { IGNORE_RETENTION_HEADER } from '../../src/envelope/oncebus-headers.js';

let runs = 0;

@handlesMessage(PlaceOrder)
class CountingHandler implements IMessageHandler<PlaceOrder> {
  handle(): void {
    runs++;
  }
}

@handlesMessage(Ping)
class PingHandler implements IMessageHandler<Ping> {
  handle(): void {}
}

function oldMessage(ageMs: number, headers: Record<string, string> = {}) {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = 'test.PlaceOrder';
  tm.sendDate = Date.now() - ageMs;
  tm.headers = headers;
  tm.message = Buffer.from('{"orderId":"old"}');
  return tm;
}

describe('scenario: with idempotence on, a message older than the retention window is reported, not run again silently', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());
  const warnings: string[] = [];
  const logger: ILogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m: string) => warnings.push(m),
    error: () => undefined,
    isDebugEnabled: () => false,
  };

  it('sends it to the error queue with RetentionWindowPassedError, and runs it when returned with the override header', async () => {
    const store = new MemoryIdempotenceStore({ retentionWindowMs: 60_000 });
    const { bus } = world.endpoint('retention', { handlers: [CountingHandler], idempotence: true }, [], (c) => {
      c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store);
      c.rebind(TYPES.Logger).toConstantValue(logger);
    });
    await bus.start();
    const queue = world.broker.create('memory://retention');

    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const stale = oldMessage(120_000);
    await queue.enqueue(stale, serializeTransportMessage(stale));
    const [[copy, reason]] = await failed;
    expect(copy.messageId).to.equal(stale.messageId);
    expect(reason).to.match(/beyond the idempotence retention window/);
    expect(runs).to.equal(0);

    const handled = waitForEvents(bus.events, 'messageHandled');
    const forced = oldMessage(120_000, { [IGNORE_RETENTION_HEADER]: 'true' });
    await queue.enqueue(forced, serializeTransportMessage(forced));
    await handled;
    expect(runs).to.equal(1);
  });

  it('runs an envelope that carries no sendDate: its age is unknown, not counted from 1970', async () => {
    const store = new MemoryIdempotenceStore({ retentionWindowMs: 60_000 });
    const { bus } = world.endpoint('retention-nodate', { handlers: [CountingHandler], idempotence: true }, [], (c) => {
      c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store);
    });
    await bus.start();
    runs = 0;
    const handled = waitForEvents(bus.events, 'messageHandled');
    const undated = oldMessage(0);
    undated.sendDate = 0;
    await world.broker.create('memory://retention-nodate').enqueue(undated, serializeTransportMessage(undated));
    await handled;
    expect(runs).to.equal(1);
  });

  it('applies each type its own window: a short window for one type leaves older messages of other types alone', async () => {
    const sqlite = openSqliteStore();
    try {
      const store = sqlite.idempotence({ windowMs: 7 * 24 * 3_600_000, byType: { 'test.Ping': 1000 } });
      const { bus } = world.endpoint('retention-bytype', { handlers: [CountingHandler, PingHandler], idempotence: true }, [], (c) => {
        c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store);
      });
      await bus.start();
      runs = 0;
      const queue = world.broker.create('memory://retention-bytype');
      const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
      const handled = waitForEvents(bus.events, 'messageHandled');
      const order = oldMessage(10_000); // a PlaceOrder 10 s old: well inside its (general) window of a week
      const ping = Object.assign(oldMessage(10_000), { messageType: 'test.Ping', message: Buffer.from('{"n":1}') });
      await queue.enqueue(order, serializeTransportMessage(order));
      await queue.enqueue(ping, serializeTransportMessage(ping));
      const [[handledTm]] = await handled;
      const [[failedTm]] = await failed;
      expect(handledTm.messageId).to.equal(order.messageId);
      expect(failedTm.messageId, 'the Ping is beyond its own 1 s window').to.equal(ping.messageId);
      expect(runs).to.equal(1);
      await bus.stop();
    } finally {
      await sqlite.dispose();
    }
  });

  it('warns at start when the window is shorter than the retry horizon', async () => {
    const store = new MemoryIdempotenceStore({ retentionWindowMs: 1000 });
    const { bus } = world.endpoint('retention-warn', { handlers: [CountingHandler], idempotence: true, inbox: { workQueueUri: 'memory://retention-warn', errorQueueUri: 'memory://retention-warn-error', deferredQueueUri: 'memory://retention-warn-deferred', maximumFailureCount: 3, durationToIgnoreOnFailure: ['1s', '5s'] } }, [], (c) => {
      c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store);
      c.rebind(TYPES.Logger).toConstantValue(logger);
    });
    await bus.start();
    expect(warnings.some((w) => /retention window is shorter than the retry horizon/.test(w))).to.equal(true);
  });
});
