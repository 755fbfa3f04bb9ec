import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Bounded exponential back-off with jitter: first, 2·first, 4·first … up to max, each ±20 %. The jitter
 * keeps many clients from reconnecting in lockstep after a broker restart; the bound keeps recovery prompt.
 */
export class BackOff {
  private next: number;

  constructor(
    private readonly first: number,
    private readonly max: number,
  ) {
    this.next = first;
  }

  delay(): number {
    const d = Math.min(this.next * (0.8 + Math.random() * 0.4), this.max);
    this.next = Math.min(this.next * 2, this.max);
    return Math.round(d);
  }

  reset(): void {
    this.next = this.first;
  }
}

/** Sleeps `ms`, or less when `signal` aborts (closing must not wait out a back-off). Never rejects. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
