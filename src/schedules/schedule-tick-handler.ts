import type { ResolvedSchedule } from '../config/resolve-schedules.js';
import { ForgedScheduleTickError, UnknownScheduleError } from '../errors/errors.js';
import { handlesMessage } from '../handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../handling/message-handler.js';
import { ScheduleTick } from './schedule-tick.js';
import { SCHEDULE_HEADER, SCHEDULE_TICK_HEADER } from './schedule-headers.js';
import { scheduledMessageId, tickMessageId } from './tick-message-ids.js';

/** How far in the future a tick may lie (the sending process's clock ahead of this one's). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Sends a schedule's message for one tick, in the tick's unit of work: with idempotence the send is stored
 * with the tick's claim and flushed after commit, so the tick's copies from every process send it once.
 * Anything in a tick may be forged (anyone who writes to the inbox can send one): a tick is refused unless it
 * is one of its schedule's ticks, neither in the future nor older than idempotence remembers, and carries the
 * id this endpoint derives for it.
 */
@handlesMessage(ScheduleTick)
export class ScheduleTickHandler implements IMessageHandler<ScheduleTick> {
  private readonly byName: ReadonlyMap<string, ResolvedSchedule>;
  /** How long idempotence remembers a tick (its retention window), when the store forgets at all. */
  private rememberedForMs: number | undefined;

  constructor(
    schedules: readonly ResolvedSchedule[],
    private readonly address: string,
    private readonly clock: () => number,
  ) {
    this.byName = new Map(schedules.map((s) => [s.name, s]));
  }

  /**
   * Ticks older than this are refused: their records may be gone, so a replayed or forged old tick (anyone can
   * derive its id) would send the message again.
   */
  refuseOlderThan(windowMs: number | undefined): void {
    this.rememberedForMs = windowMs;
  }

  async handle(context: IHandlerContext<ScheduleTick>): Promise<void> {
    const { schedule: name, tick } = context.message;
    const { messageId } = context.transportMessage;
    if (typeof name !== 'string' || typeof tick !== 'string') throw new ForgedScheduleTickError(String(name), 'not a tick (schedule and tick must be strings)', messageId);
    const schedule = this.byName.get(name);
    if (!schedule) throw new UnknownScheduleError(name);
    const tickMs = Date.parse(tick);
    if (!Number.isFinite(tickMs) || !schedule.cron.isTick(tickMs)) throw new ForgedScheduleTickError(name, 'its instant is not one of the schedule\'s ticks', messageId);
    const now = this.clock();
    if (tickMs > now + CLOCK_SKEW_MS) throw new ForgedScheduleTickError(name, 'its tick lies in the future', messageId);
    if (this.rememberedForMs !== undefined && tickMs < now - this.rememberedForMs) {
      throw new ForgedScheduleTickError(name, 'its tick is older than idempotence remembers (the retention window): a replay cannot be told from a first copy', messageId);
    }
    if (messageId !== tickMessageId(this.address, name, tickMs)) throw new ForgedScheduleTickError(name, 'its messageId is not the tick\'s', messageId);

    const instant = new Date(tickMs);
    const message = typeof schedule.message === 'function' ? schedule.message(instant) : schedule.message;
    await context.send(message, {
      messageId: scheduledMessageId(this.address, name, tickMs),
      headers: { [SCHEDULE_HEADER]: name, [SCHEDULE_TICK_HEADER]: instant.toISOString() },
      ...(schedule.recipient !== undefined ? { recipient: schedule.recipient } : {}),
      ...(schedule.local ? { local: true } : {}),
    });
  }
}
