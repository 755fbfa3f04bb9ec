import { createHash } from 'node:crypto';

/**
 * What an error-queue copy's failure lines (one per failed attempt, `<ISO time> <endpoint> <what>`) say
 * about its history: how many attempts, when the first and the last failed, and a short hash of each line,
 * by which copies of one message (a worker killed between a copy's send and the original's
 * acknowledgement sends two) are told apart from a copy already recorded. A line is its time (ms), its
 * endpoint and its error: two attempts failing alike in the same millisecond count as one.
 */
export interface FailureHistory {
  readonly attempts: number;
  /** Distinct lines' hashes, oldest first, the last MAX_HASHES of them. */
  readonly hashes: readonly string[];
  readonly firstFailedAt: number;
  readonly lastFailedAt: number;
}

/** Hashes kept per record: enough for any retry policy; a hostile copy's million lines are counted, not kept. */
export const MAX_HASHES = 1000;

const TIME = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) /;

/**
 * The history of `lines`; `now` is the ingestion time, taken for a copy without a readable failure time and
 * as the latest a failure can be (a sender's clock or a forged line cannot put one in the future).
 */
export function failureHistory(lines: readonly string[], now: number): FailureHistory {
  const times = lines.map((l) => Date.parse(TIME.exec(l)?.[1] ?? '')).filter((t) => Number.isFinite(t)).map((t) => Math.min(t, now));
  const hashes = [...new Set(lines.slice(-MAX_HASHES).map(lineHash))];
  return {
    // A copy without failure lines (bytes an endpoint could not read) still failed once.
    attempts: Math.max(1, lines.length),
    hashes,
    // A loop, not Math.min(...times): a hostile envelope of ~124k lines overflowed the stack and the copy
    // was released and taken again forever, holding up everything behind it in the error queue.
    firstFailedAt: times.length > 0 ? times.reduce((a, b) => Math.min(a, b)) : now,
    lastFailedAt: times.length > 0 ? times.reduce((a, b) => Math.max(a, b)) : now,
  };
}

export const lineHash = (line: string): string => createHash('sha256').update(line).digest('hex').slice(0, 16);

/** Stored as one text column: the hashes separated by spaces. */
export const joinHashes = (hashes: readonly string[]): string => hashes.slice(-MAX_HASHES).join(' ');
export const splitHashes = (stored: string): string[] => (stored === '' ? [] : stored.split(' '));
