import type { Duration } from './duration.js';

/**
 * A message the endpoint sends on a cron schedule, once per tick across every process of the endpoint
 * (each process fires the tick; the inbox's idempotence lets one through). Needs an inbox and idempotence.
 */
export interface ScheduleOptions {
  /**
   * Names the schedule within the endpoint (letters, digits, . _ : -, at most 100). Part of each tick's
   * identity: renaming a schedule makes its ticks new ones.
   */
  name: string;
  /**
   * A cron expression: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first,
   * e.g. '0 * * * *' (hourly), '*\/30 * * * * *' (every 30 s), or a nickname such as '@daily'.
   */
  cron: string;
  /**
   * The message sent at each tick: an instance of a message class, or a function that makes one from the
   * tick's instant (called once per tick, in the tick's unit of work).
   */
  message: object | ((tick: Date) => object);
  /** IANA time zone the expression is read in (default 'UTC'), e.g. 'Europe/Paris'. */
  timezone?: string;
  /**
   * Catch-up at start: the latest tick at or before the start is sent when it is at most this old (default
   * '1m'; 0 sends none). Older missed ticks are skipped. Must be shorter than the idempotence retention window.
   */
  backfill?: Duration;
  /** Send to this queue URI instead of the message's route. */
  recipient?: string;
  /** Send to this endpoint's own inbox. */
  local?: boolean;
}
