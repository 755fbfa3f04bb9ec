/** On a scheduled message: the name of the schedule that sent it. */
export const SCHEDULE_HEADER = 'oncebus-schedule';
/** On a scheduled message: the instant of the tick that sent it (ISO 8601 UTC). */
export const SCHEDULE_TICK_HEADER = 'oncebus-schedule-tick';
