import fc from 'fast-check';
import { OncebusError } from '../../src/errors/oncebus-error.js';

/**
 * Cases per property: 10,000 in the normal test run; FUZZ_RUNS=1000000 (npm run fuzz) for the long run.
 * FUZZ_SEED replays a run fast-check reported as failing (it prints the seed and the shrunk case).
 */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** Mocha's timeout for one property: generous, since the long run is 100 times the normal one. */
export const PROPERTY_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 10);

/** One case may take this long at most: decoding a few KiB never should (a hang, or work out of proportion). */
const CASE_TIME_LIMIT_MS = 2_000;

/** Checks `property` over FUZZ_RUNS cases. */
export function check<T>(arbitrary: fc.Arbitrary<T>, property: (value: T) => void): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      const started = performance.now();
      property(value);
      const took = performance.now() - started;
      if (took > CASE_TIME_LIMIT_MS) throw new Error(`one case took ${Math.round(took)} ms`);
    }),
    { numRuns: FUZZ_RUNS, ...(seed === undefined ? {} : { seed }) },
  );
}

/**
 * What a decoder of hostile input may do: return, or throw a typed oncebus error (which the endpoint turns
 * into an error-queue move with the reason). Anything else (a TypeError, a RangeError, a URIError) escaped
 * the decoder's checks. Returns the result, or undefined when it threw typed.
 */
export function typedOrResult<R>(run: () => R): R | undefined {
  try {
    return run();
  } catch (error) {
    if (OncebusError.is(error)) return undefined;
    throw new Error(`threw something other than an oncebus error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}
