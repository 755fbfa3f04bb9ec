import { ConfigurationError } from '../errors/errors.js';
import { CronExpression } from './cron-expression.js';
import { parseDuration } from './duration.js';
import type { ScheduleOptions } from './schedule-options.js';

/** A schedule as the endpoint runs it. */
export interface ResolvedSchedule {
  readonly name: string;
  readonly cron: CronExpression;
  readonly message: object | ((tick: Date) => object);
  /** How old the latest missed tick may be and still be sent at start. */
  readonly backfillMs: number;
  readonly recipient: string | undefined;
  readonly local: boolean;
}

/** How old a missed tick may be and still be sent at start, unless a schedule says otherwise. */
export const DEFAULT_BACKFILL = '1m';

/**
 * Checks the schedules (their expressions, names, destinations) and what they rely on: a tick is sent once
 * across the endpoint's processes only because its inbox deduplicates it, so schedules need an inbox and
 * idempotence. Without them every process would send every tick.
 */
export function resolveSchedules(schedules: readonly ScheduleOptions[], idempotence: boolean): ResolvedSchedule[] {
  if (schedules.length === 0) return [];
  if (!idempotence) {
    throw new ConfigurationError('schedules', 'need idempotence: each process of the endpoint fires every tick, and the inbox lets one copy through', {
      hint: 'set idempotence: true and bind an idempotence store (SQLite, PostgreSQL, SQL Server; MemoryIdempotenceStore for one process)',
    });
  }
  const names = new Set<string>();
  return schedules.map((s, i) => {
    const at = `schedules[${i}]`;
    if (names.has(s.name)) throw new ConfigurationError(`${at}.name`, `'${s.name}' is the name of another schedule`, { hint: 'give each schedule its own name' });
    names.add(s.name);
    if (s.local && s.recipient !== undefined) {
      throw new ConfigurationError(`${at}.recipient`, 'and local both choose the destination', { hint: 'keep one of them' });
    }
    return {
      name: s.name,
      cron: new CronExpression(s.cron, s.timezone ?? 'UTC', `${at}.cron`),
      message: s.message,
      backfillMs: parseDuration(s.backfill ?? DEFAULT_BACKFILL, `${at}.backfill`),
      recipient: s.recipient,
      local: s.local === true,
    };
  });
}
