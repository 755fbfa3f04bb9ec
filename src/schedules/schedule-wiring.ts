import type { ResolvedSchedule } from '../config/resolve-schedules.js';
import { ConfigurationError } from '../errors/errors.js';
import type { HandlerClass } from '../handling/handles-message.js';
import type { HandlerResolver } from '../handling/handler-registry.js';
import type { IIdempotenceService } from '../idempotence/idempotence-service.js';
import type { MessageTypeRegistry } from '../messages/message-type-registry.js';
import { messageTypeNameOf } from '../messages/message-type.js';
import type { RouteTable } from '../routing/route-table.js';
import { ScheduleTick } from './schedule-tick.js';
import { ScheduleTickHandler } from './schedule-tick-handler.js';

/** The tick's message type name, as idempotence and the handler registry know it. */
export const SCHEDULE_TICK_TYPE = messageTypeNameOf(ScheduleTick)!;

/**
 * What an endpoint with schedules adds to its handlers: the tick handler (one instance, holding the
 * schedules), and a resolver that gives it out and leaves every other handler to the user's resolver.
 */
export function scheduleHandlers(
  schedules: readonly ResolvedSchedule[],
  address: string,
  clock: () => number,
  resolve: HandlerResolver,
): { handlers: HandlerClass[]; resolve: HandlerResolver; tickHandler?: ScheduleTickHandler } {
  if (schedules.length === 0) return { handlers: [], resolve };
  const tickHandler = new ScheduleTickHandler(schedules, address, clock);
  return { handlers: [ScheduleTickHandler], resolve: (h) => (h === ScheduleTickHandler ? tickHandler : resolve(h)), tickHandler };
}

/**
 * Checks at start what a schedule's first tick would otherwise find out: a fixed message has a type name and
 * a destination, and a tick sent at start by `backfill` is still remembered by idempotence (a backfill longer
 * than the retention window could send a tick again whose record was removed); and tells the tick handler that
 * window, past which it refuses a tick.
 */
export function checkSchedules(
  schedules: readonly ResolvedSchedule[],
  types: MessageTypeRegistry,
  routes: RouteTable,
  idempotence: IIdempotenceService,
  tickHandler?: ScheduleTickHandler,
): void {
  const window = idempotence.retentionWindowFor?.(SCHEDULE_TICK_TYPE);
  tickHandler?.refuseOlderThan(window);
  schedules.forEach((s, i) => {
    if (window !== undefined && s.backfillMs >= window) {
      throw new ConfigurationError(`schedules[${i}].backfill`, `must be shorter than the idempotence retention window (${window} ms)`, {
        hint: 'shorten backfill, or lengthen the store\'s retention window',
      });
    }
    if (typeof s.message === 'function') return;
    const name = types.register(s.message.constructor as new () => object, `schedules[${i}].message`);
    if (!s.local && s.recipient === undefined && !routes.uriFor(name)) {
      throw new ConfigurationError(`schedules[${i}].message`, `message type '${name}' has no route`, { hint: 'add a route that matches it, or give the schedule a recipient' });
    }
  });
}
