import { expect } from 'chai';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IMessageHandler } from '../../src/handling/message-handler.js';
import { TYPES } from '../../src/index.js';
import type { ILogger } from '../../src/logging/logger.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';

@handlesMessage(PlaceOrder)
class FailsWithDetail implements IMessageHandler<PlaceOrder> {
  handle(): void {
    throw new RangeError('amount out of range');
  }
}

/** A logger that keeps each line with its fields. */
function recordingLogger(lines: { level: string; message: string; meta: Record<string, unknown> }[]): ILogger {
  const at = (level: string) => (message: string, meta: Record<string, unknown> = {}) => lines.push({ level, message, meta });
  return { debug: () => undefined, info: at('info'), warn: at('warn'), error: at('error'), isDebugEnabled: () => false };
}

describe('scenario: a failing handler is logged with what an operator needs to act on it', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('each retry and the move to the error queue name the endpoint, type, messageId, attempt and stack', async () => {
    const lines: { level: string; message: string; meta: Record<string, unknown> }[] = [];
    const { bus } = world.endpoint('logged', { name: 'orders-endpoint', handlers: [FailsWithDetail] }, [], (c) => {
      c.rebind(TYPES.Logger).toConstantValue(recordingLogger(lines));
    });
    await bus.start();
    const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
    const sent = await bus.send(new PlaceOrder('o-1'), { local: true });
    await failed;

    const failures = lines.filter((l) => l.message === 'handler failed; retry scheduled' || l.message === 'message moved to the error queue');
    expect(failures.map((l) => [l.level, l.meta.attempt])).to.deep.equal([
      ['warn', 1],
      ['warn', 2],
      ['error', 3],
    ]);
    for (const { meta } of failures) {
      expect(meta).to.include({ endpoint: 'orders-endpoint', messageType: 'test.PlaceOrder', messageId: sent.messageId, error: 'RangeError: amount out of range' });
      expect(meta.stack).to.match(/RangeError: amount out of range\n\s+at FailsWithDetail\.handle/);
      expect(Object.values(meta)).not.to.include(undefined);
    }
  });
});
