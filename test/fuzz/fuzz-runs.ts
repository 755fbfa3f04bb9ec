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

/** Cases run in one go; between batches the event loop turns (see check). */
const BATCH = 10_000;

/**
 * Checks `property` over FUZZ_RUNS cases, in batches of 10,000 with a seed each (the first is FUZZ_SEED
 * when given, so a reported seed replays its batch first). Node frees a zlib engine that failed only on a
 * later turn of the event loop, as it does between the messages an endpoint receives: a million cases in
 * one synchronous run would hold them all.
 */
export async function check<T>(arbitrary: fc.Arbitrary<T>, property: (value: T) => void): Promise<void> {
  const first = seed ?? Math.floor(Math.random() * 0x7fffffff);
  for (let done = 0, batch = 0; done < FUZZ_RUNS; batch++) {
    const numRuns = Math.min(BATCH, FUZZ_RUNS - done);
    fc.assert(
      fc.property(arbitrary, (value) => {
        const started = performance.now();
        property(value);
        const took = performance.now() - started;
        if (took > CASE_TIME_LIMIT_MS) throw new Error(`one case took ${Math.round(took)} ms`);
      }),
      { numRuns, seed: (first + batch) | 0 },
    );
    done += numRuns;
    await new Promise((resolve) => setImmediate(resolve));
  }
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
