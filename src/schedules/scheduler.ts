import type { ResolvedSchedule } from '../config/resolve-schedules.js';
import type { ILogger } from '../logging/logger.js';
import type { Processor } from '../processing/processor.js';
import { Sleeper } from '../processing/sleeper.js';

/** Sends one tick of a schedule (to the endpoint's own inbox); rejects when it could not. */
export type FireTick = (schedule: ResolvedSchedule, tickMs: number) => Promise<void>;

/** The longest sleep: a clock that jumps (a suspended VM, a corrected clock) is noticed within it. */
const MAX_SLEEP_MS = 60_000;
/** After a tick could not be sent (the broker is down), it is tried again this often. */
const RETRY_MS = 1_000;

interface Due {
  readonly schedule: ResolvedSchedule;
  /** The latest tick this process has reached (sent, being sent, or skipped). */
  reached: number;
  /** The tick still to send, if any. */
  owed: number | undefined;
}

/**
 * Fires the endpoint's schedules in this process. The rule, in every process alike:
 * - at start, the latest tick at or before now is sent when it is at most `backfill` old; older ones are
 *   skipped (a tick another process sent already is dropped by the inbox's idempotence);
 * - then each tick is sent when the clock reaches it. After a stall past several ticks (a suspended
 *   process), only the latest is sent. A tick whose send fails is tried again every second until the next
 *   tick replaces it.
 * Time comes from the endpoint's clock only (croner is asked about given instants), so tests control it.
 */
export class Scheduler implements Processor {
  private stopping = false;
  private readonly sleeper = new Sleeper();
  readonly done: Promise<void>;

  constructor(
    private readonly schedules: readonly ResolvedSchedule[],
    private readonly fire: FireTick,
    private readonly clock: () => number,
    private readonly logger: ILogger,
  ) {
    this.done = this.run();
  }

  stop(): void {
    this.stopping = true;
    this.sleeper.interrupt();
  }

  private async run(): Promise<void> {
    await Promise.resolve();
    const started = this.clock();
    const due: Due[] = this.schedules.map((schedule) => {
      const latest = schedule.cron.latestAtOrBefore(started);
      const owed = latest !== undefined && started - latest <= schedule.backfillMs ? latest : undefined;
      return { schedule, reached: latest ?? Number.NEGATIVE_INFINITY, owed };
    });
    while (!this.stopping) {
      let failed = false;
      for (const d of due) {
        const latest = d.schedule.cron.latestAtOrBefore(this.clock());
        if (latest !== undefined && latest > d.reached) [d.reached, d.owed] = [latest, latest];
        if (d.owed === undefined || this.stopping) continue;
        failed = !(await this.send(d)) || failed;
      }
      if (this.stopping) break;
      await this.sleeper.sleep(failed ? RETRY_MS : this.untilNextTick(due));
    }
  }

  /** Sends the owed tick; false when it could not (it stays owed). */
  private async send(d: Due): Promise<boolean> {
    const tick = d.owed!;
    try {
      await this.fire(d.schedule, tick);
      if (d.owed === tick) d.owed = undefined;
      return true;
    } catch (error) {
      this.logger.warn('schedule tick could not be sent; trying again', { schedule: d.schedule.name, tick: new Date(tick).toISOString(), error: String(error) });
      return false;
    }
  }

  private untilNextTick(due: readonly Due[]): number {
    const now = this.clock();
    let next = now + MAX_SLEEP_MS;
    for (const d of due) next = Math.min(next, d.schedule.cron.nextAfter(now) ?? next);
    return Math.max(1, next - now);
  }
}
