import { ConfigurationError } from '../errors/errors.js';
import { describeValue } from './describe-value.js';

/** A duration in configuration: milliseconds, or a string such as '250ms', '5s', '2m', '1h', '7d'. */
export type Duration = number | string;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

export function parseDuration(value: Duration, setting: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const m = PATTERN.exec(value);
    if (m) return Math.round(Number(m[1]) * UNITS[m[2]!]!);
  }
  throw new ConfigurationError(setting, `${describeValue(value)} is not a duration (a number of ms, or e.g. '250ms', '5s', '2m', '1h', '7d')`);
}

export function parseDurations(values: readonly Duration[], setting: string): number[] {
  if (!Array.isArray(values)) throw new ConfigurationError(setting, 'must be a list of durations');
  return values.map((v, i) => parseDuration(v, `${setting}[${i}]`));
}
