import { expect } from 'chai';
import { scheduledMessageId, tickMessageId } from '../../../src/schedules/tick-message-ids.js';

const T = Date.UTC(2026, 0, 1, 10);

describe('tick message ids: one per (inbox, schedule, tick), the same in every process', () => {
  it('are UUIDv5s, equal for the same parts and different when any part differs', () => {
    const id = tickMessageId('rabbitmq://host/billing', 'close-day', T);
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(tickMessageId('rabbitmq://host/billing', 'close-day', T)).to.equal(id);
    const others = [
      tickMessageId('rabbitmq://host/shipping', 'close-day', T),
      tickMessageId('rabbitmq://host/billing', 'close-week', T),
      tickMessageId('rabbitmq://host/billing', 'close-day', T + 1000),
      scheduledMessageId('rabbitmq://host/billing', 'close-day', T),
      // Parts are kept apart: moving a character from one part to the next is another id.
      tickMessageId('rabbitmq://host/billin', 'gclose-day', T),
    ];
    expect(new Set([id, ...others]).size).to.equal(others.length + 1);
  });
});
