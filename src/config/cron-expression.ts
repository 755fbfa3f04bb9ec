import { Cron } from 'croner';
import { InvalidCronExpressionError } from '../errors/errors.js';

/**
 * A parsed cron expression (croner) that never reads the wall clock itself: every question takes the
 * instant it is asked about, so the bus's injectable clock (and a test's) is the only source of time.
 */
export class CronExpression {
  private readonly cron: Cron;

  constructor(
    readonly expression: string,
    readonly timezone: string,
    setting: string,
  ) {
    try {
      this.cron = new Cron(expression, { paused: true, timezone });
      // Asked once here, so a bad time zone fails now and not at the first tick.
      this.cron.nextRun(new Date(0));
    } catch (error) {
      throw new InvalidCronExpressionError(setting, expression, timezone, error);
    }
  }

  /** The first tick strictly after `ms` (epoch ms), or undefined when there is none. */
  nextAfter(ms: number): number | undefined {
    return this.cron.nextRun(new Date(ms))?.getTime();
  }

  /** The latest tick at or before `ms`, or undefined when there is none. */
  latestAtOrBefore(ms: number): number | undefined {
    // croner counts a run in the same second as the reference, before it: 1 ms on makes `ms` itself count.
    return this.cron.previousRuns(1, new Date(ms + 1))[0]?.getTime();
  }

  /** Whether `ms` is one of the expression's ticks. */
  isTick(ms: number): boolean {
    return ms % 1000 === 0 && this.latestAtOrBefore(ms) === ms;
  }
}
