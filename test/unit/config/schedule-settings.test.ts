import { expect } from 'chai';
import { InvalidSettingsError } from '../../../src/config/check-settings.js';
import type { EndpointOptions } from '../../../src/config/endpoint-options.js';
import { resolveEndpointOptions } from '../../../src/config/resolved-options.js';
import { ConfigurationError, InvalidCronExpressionError } from '../../../src/errors/errors.js';
import { Ping } from '../../support/messages.js';

const inbox = { workQueueUri: 'memory://s', errorQueueUri: 'memory://s-error' };
const resolve = (o: Partial<EndpointOptions>) => resolveEndpointOptions({ inbox, idempotence: true, ...o });
const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return expect.fail('did not throw');
};

describe('configuration: schedules', () => {
  it('resolves a schedule: its expression in UTC by default, backfill 1m unless given', () => {
    const [hourly, paris] = resolve({
      schedules: [
        { name: 'hourly', cron: '0 * * * *', message: new Ping() },
        { name: 'paris', cron: '0 9 * * *', timezone: 'Europe/Paris', backfill: '10m', message: () => new Ping() },
      ],
    }).schedules;
    expect(hourly!.backfillMs).to.equal(60_000);
    expect(hourly!.cron.nextAfter(Date.UTC(2026, 0, 1, 10, 30))).to.equal(Date.UTC(2026, 0, 1, 11));
    expect(hourly!.cron.latestAtOrBefore(Date.UTC(2026, 0, 1, 11))).to.equal(Date.UTC(2026, 0, 1, 11));
    expect(hourly!.cron.isTick(Date.UTC(2026, 0, 1, 11, 0, 0, 1))).to.equal(false);
    // 09:00 in Paris is 08:00 UTC in winter.
    expect(paris!.cron.nextAfter(Date.UTC(2026, 0, 1))).to.equal(Date.UTC(2026, 0, 1, 8));
    expect(paris!.backfillMs).to.equal(600_000);
  });

  it('refuses a bad cron expression or time zone with InvalidCronExpressionError naming the schedule', () => {
    for (const [cron, timezone, why] of [['61 * * * *', 'UTC', /minute/], ['* * * *', 'UTC', /five, six, or seven/], ['0 * * * *', 'Mars/Olympus', /time ?zone/i]] as const) {
      const error = thrown(() => resolve({ schedules: [{ name: 'bad', cron, timezone, message: new Ping() }] }));
      expect(error).to.be.instanceOf(InvalidCronExpressionError).and.instanceOf(ConfigurationError);
      expect((error as InvalidCronExpressionError).setting).to.equal('schedules[0].cron');
      expect((error as Error).message).to.match(why);
      expect((error as InvalidCronExpressionError).hint).to.match(/5 fields/);
    }
  });

  it('refuses schedules without idempotence or without an inbox: every process would send every tick', () => {
    const schedules = [{ name: 'hourly', cron: '0 * * * *', message: new Ping() }];
    expect(() => resolve({ idempotence: false, schedules })).to.throw(ConfigurationError, /schedules: need idempotence/);
    expect(() => resolveEndpointOptions({ schedules })).to.throw(ConfigurationError, /inbox: is required: schedules need an inbox/);
  });

  it('refuses two schedules of one name, both recipient and local, a bad backfill, a message that is no object, a bad name', () => {
    const m = new Ping();
    expect(() => resolve({ schedules: [{ name: 'a', cron: '0 * * * *', message: m }, { name: 'a', cron: '5 * * * *', message: m }] })).to.throw(ConfigurationError, /schedules\[1\]\.name: 'a' is the name of another schedule/);
    expect(() => resolve({ schedules: [{ name: 'a', cron: '0 * * * *', message: m, local: true, recipient: 'memory://x' }] })).to.throw(ConfigurationError, /recipient: and local/);
    const error = thrown(() => resolve({ schedules: [{ name: 'a b', cron: '0 * * * *', message: 'Ping' as unknown as object, backfill: 'soon' }] }));
    expect(error).to.be.instanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).problems.map((p) => p.setting)).to.have.members(['schedules[0].name', 'schedules[0].message', 'schedules[0].backfill']);
  });
});
