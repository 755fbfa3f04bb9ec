import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import type { ScheduleOptions } from '../../src/config/schedule-options.js';
import { TYPES } from '../../src/di/tokens.js';
import type { TransportMessage } from '../../src/envelope/transport-message.js';
import { ScheduleTick } from '../../src/schedules/schedule-tick.js';
import { SCHEDULE_TICK_HEADER } from '../../src/schedules/schedule-headers.js';
import { tickMessageId } from '../../src/schedules/tick-message-ids.js';
import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { Ping } from '../support/messages.js';

/** A clock that reads `at` now and runs at the wall clock's pace from there. */
function clockFrom(at: number): () => number {
  const offset = at - Date.now();
  return () => Date.now() + offset;
}

const TEN = Date.UTC(2026, 2, 2, 10, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scenario: schedules send their message once per tick, across processes and restarts', function () {
  this.timeout(15_000);
  const world = new MemoryWorld();
  after(() => world.stopAll());
  let n = 0;

  /** A process of endpoint `name`, whose clock reads `clock`. */
  function process(name: string, clock: () => number, schedules: ScheduleOptions[]): IServiceBus {
    return world.endpoint(name, { idempotence: true, schedules, routes: [{ uri: `memory://${name}-out`, specifications: [{ types: [Ping] }] }] }, [], (c) => c.bind(TYPES.Clock).toConstantValue(clock)).bus;
  }
  const ticksIn = (queue: string): string[] => world.messagesIn(queue).map((m: TransportMessage) => m.headers[SCHEDULE_TICK_HEADER] ?? '?');
  const iso = (ms: number): string => new Date(ms).toISOString();

  it('two processes both fire every tick of an every-second schedule; each tick sends its message once', async () => {
    const name = `sch-two-${++n}`;
    const clock = clockFrom(TEN + 300);
    const schedules = [{ name: 'ping', cron: '* * * * * *', message: (tick: Date) => new Ping(tick.getUTCSeconds()) }];
    const [a, b] = [process(name, clock, schedules), process(name, clock, schedules)];
    const fired = [0, 0];
    a.events.on('messageDispatched', (tm) => void (tm.messageType === 'oncebus.ScheduleTick' && fired[0]!++));
    b.events.on('messageDispatched', (tm) => void (tm.messageType === 'oncebus.ScheduleTick' && fired[1]!++));
    await Promise.all([a.start(), b.start()]);
    await eventually(() => clock() >= TEN + 2_400, 'the clock passed 10:00:02');
    // Both processes fire each tick; on a loaded machine one may dispatch its copy well after the other's was
    // handled, so wait for both (what is asserted below), not only for the first copies.
    await eventually(() => fired[0]! >= 3 && fired[1]! >= 3, 'both processes fired the first three ticks');
    await eventually(() => world.count(name) === 0 && ticksIn(`${name}-out`).length >= 3, 'the ticks were handled');
    await Promise.all([a.stop(), b.stop()]);
    // 10:00:00 by backfill at start (300 ms old), then 10:00:01, 10:00:02 (and on a slow machine 10:00:03) as they
    // came: each second once, none missing, none twice.
    const ticks = ticksIn(`${name}-out`);
    expect(ticks.slice(0, 3)).to.deep.equal([iso(TEN), iso(TEN + 1000), iso(TEN + 2000)]);
    expect(ticks).to.deep.equal(ticks.map((_, i) => iso(TEN + 1000 * i)));
    expect(new Set(world.messagesIn(`${name}-out`).map((m) => m.messageId)).size).to.equal(ticks.length);
    // Both processes did fire every tick: the inbox's idempotence let one copy of each through.
    expect(fired[0]).to.be.at.least(3);
    expect(fired[1]).to.be.at.least(3);
  });

  it('at start, sends the latest missed tick when it is within backfill (default 1m), and skips it when older', async () => {
    const hourly = (backfill?: string): ScheduleOptions[] => [{ name: 'hourly', cron: '0 * * * *', message: new Ping(1), ...(backfill ? { backfill } : {}) }];
    const late = `sch-late-${++n}`;
    const tooLate = `sch-toolate-${++n}`;
    const longBackfill = `sch-long-${++n}`;
    const buses = [process(late, clockFrom(TEN + 30_000), hourly()), process(tooLate, clockFrom(TEN + 120_000), hourly()), process(longBackfill, clockFrom(TEN + 120_000), hourly('5m'))];
    await Promise.all(buses.map((bus) => bus.start()));
    await eventually(() => ticksIn(`${late}-out`).length === 1 && ticksIn(`${longBackfill}-out`).length === 1, 'the ticks within backfill were sent');
    await sleep(300);
    await Promise.all(buses.map((bus) => bus.stop()));
    expect(ticksIn(`${late}-out`)).to.deep.equal([iso(TEN)]);
    expect(ticksIn(`${tooLate}-out`), 'two minutes late, backfill 1m').to.deep.equal([]);
    expect(ticksIn(`${longBackfill}-out`)).to.deep.equal([iso(TEN)]);
  });

  it('a process restarted within backfill fires the tick again, and idempotence drops it: still one message', async () => {
    const name = `sch-restart-${++n}`;
    const schedules: ScheduleOptions[] = [{ name: 'hourly', cron: '0 * * * *', message: new Ping(2) }];
    const first = process(name, clockFrom(TEN + 10_000), schedules);
    await first.start();
    await eventually(() => ticksIn(`${name}-out`).length === 1, 'the first process sent the tick');
    await first.stop();
    const second = process(name, clockFrom(TEN + 20_000), schedules);
    const ignored = waitForEvents(second.events, 'messageIgnored', 1, (tm) => tm.messageType === 'oncebus.ScheduleTick');
    await second.start();
    await ignored;
    await second.stop();
    expect(ticksIn(`${name}-out`)).to.deep.equal([iso(TEN)]);
  });

  it('a forged tick (a random messageId, or an instant that is no tick) goes to the error queue and sends nothing', async () => {
    const name = `sch-forged-${++n}`;
    const bus = process(name, clockFrom(TEN + 600_000), [{ name: 'hourly', cron: '0 * * * *', message: new Ping(3), backfill: 0 }]);
    await bus.start();
    const refused = waitForEvents(bus.events, 'messageSentToErrorQueue', 2);
    await bus.send(new ScheduleTick('hourly', iso(TEN)), { local: true, messageId: randomUUID() });
    await bus.send(new ScheduleTick('hourly', iso(TEN + 1)), { local: true });
    const reasons = (await refused).flatMap(([tm]) => tm.failureMessages);
    await bus.stop();
    expect(reasons.join('\n')).to.match(/messageId is not the tick's/).and.match(/not one of the schedule's ticks/);
    expect(ticksIn(`${name}-out`)).to.deep.equal([]);
  });

  it('a tick older than idempotence remembers (its retention window) is refused, though its id is the derived one', async () => {
    const name = `sch-old-${++n}`;
    const hour = 3_600_000;
    const { bus } = world.endpoint(
      name,
      { idempotence: true, schedules: [{ name: 'hourly', cron: '0 * * * *', message: new Ping(4), backfill: 0 }], routes: [{ uri: `memory://${name}-out`, specifications: [{ types: [Ping] }] }] },
      [],
      (c) => {
        c.bind(TYPES.Clock).toConstantValue(clockFrom(TEN + 600_000));
        c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(new MemoryIdempotenceStore({ retentionWindowMs: 2 * hour }));
      },
    );
    await bus.start();
    const refused = waitForEvents(bus.events, 'messageSentToErrorQueue', 1);
    // Three hours back: anyone can derive the id, and the store no longer remembers whether it was sent.
    const old = TEN - 3 * hour;
    await bus.send(new ScheduleTick('hourly', iso(old)), { local: true, messageId: tickMessageId(`memory://${name}`, 'hourly', old) });
    const reasons = (await refused).flatMap(([tm]) => tm.failureMessages);
    await bus.stop();
    expect(reasons.join('\n')).to.match(/older than idempotence remembers/);
    expect(ticksIn(`${name}-out`)).to.deep.equal([]);
  });
});
