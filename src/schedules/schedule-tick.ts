import { messageType } from '../messages/message-type.js';

/**
 * What every process of an endpoint sends its own inbox when one of its schedules ticks. Its messageId is
 * derived from (inbox, schedule, tick), so the copies the processes send are one message to idempotence.
 */
@messageType('oncebus.ScheduleTick')
export class ScheduleTick {
  constructor(
    /** The schedule's name. */
    readonly schedule: string,
    /** The tick's instant, ISO 8601 UTC. */
    readonly tick: string,
  ) {}
}
