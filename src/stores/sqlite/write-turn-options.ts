import { ConfigurationError } from '../../errors/errors.js';
import { WRITE_GAP_MS, WRITE_POLL_MAX_MS, WRITE_TURN_MS } from './write-turns.js';

/** How a process shares the file's write lock with the other processes on it (docs/sql-stores.md). */
export interface WriteTurnOptions {
  /** How long (ms) this process may keep the write lock, handing it on in-process, before it leaves a gap (default 500). */
  readonly turnMs?: number;
  /** How long (ms) the lock stays free at the end of a turn, for another process's try to land in (default 10). */
  readonly gapMs?: number;
  /** The longest pause (ms) between two tries at the lock while another process holds it; at most gapMs (default 4). */
  readonly busyPollMaxMs?: number;
}

export interface ResolvedWriteTurns {
  /** undefined: unbounded (`writeTurns: false`), one holder after another without gaps. */
  readonly turnMs: number | undefined;
  readonly gapMs: number;
  readonly busyPollMaxMs: number;
}

/** setTimeout's longest delay: a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** The `writeTurns` option checked and completed with the defaults; `false` bounds nothing. */
export function resolveWriteTurns(option: WriteTurnOptions | false | undefined): ResolvedWriteTurns {
  if (option === false) return { turnMs: undefined, gapMs: WRITE_GAP_MS, busyPollMaxMs: WRITE_POLL_MAX_MS };
  if (option !== undefined && (typeof option !== 'object' || option === null || Array.isArray(option))) {
    throw new ConfigurationError('writeTurns', `must be { turnMs, gapMs, busyPollMaxMs } or false (got ${String(option)})`, {
      hint: 'leave it out for the defaults, or set false only for a file no other process writes to',
    });
  }
  const turnMs = whole('writeTurns.turnMs', option?.turnMs ?? WRITE_TURN_MS);
  const gapMs = whole('writeTurns.gapMs', option?.gapMs ?? WRITE_GAP_MS);
  const busyPollMaxMs = whole('writeTurns.busyPollMaxMs', option?.busyPollMaxMs ?? WRITE_POLL_MAX_MS);
  // Another process polls at most busyPollMaxMs apart: a longer pause could step over every gap this one leaves.
  if (busyPollMaxMs > gapMs) {
    throw new ConfigurationError('writeTurns.busyPollMaxMs', `(${busyPollMaxMs} ms${option?.busyPollMaxMs === undefined ? ', the default' : ''}) is longer than writeTurns.gapMs (${gapMs} ms): another process's tries could miss every gap`, {
      hint: `set writeTurns.busyPollMaxMs to ${gapMs} or less, or writeTurns.gapMs to ${busyPollMaxMs} or more (the same in every process on the file)`,
    });
  }
  return { turnMs, gapMs, busyPollMaxMs };
}

function whole(setting: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw new ConfigurationError(setting, `must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (got ${String(value)})`, {
      hint: `set ${setting} to a positive integer, or leave it out for the default`,
    });
  }
  return value;
}
