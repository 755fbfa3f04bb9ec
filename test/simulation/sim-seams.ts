import type { SimProcessRef, VirtualTime } from './virtual-time.js';

/** How often a seam crashes its process or fails, per run (0 = never). */
export interface FaultRates {
  readonly crash: number;
  readonly fault: number;
  readonly maxCrashes: number;
  readonly maxFaults: number;
}

/** What a run did to its processes: the oracle's "no crashes, no faults" depends on it. */
export interface SeamLog {
  crashes: number;
  faults: number;
  steps: number;
  readonly sites: Map<string, number>;
}

/**
 * Every awaited step between a simulated process and the shared world (a queue call, an idempotence
 * call, a commit, a handler's own await) passes a seam. At a seam the seed decides: go on after a short
 * random delay (this is what interleaves the processes differently from seed to seed), crash the process
 * here (it never resumes: its callbacks are dropped, and the world closes its connections), or fail this
 * call with an error a real store or broker could give.
 */
export class Seams {
  readonly log: SeamLog = { crashes: 0, faults: 0, steps: 0, sites: new Map() };

  constructor(
    private readonly time: VirtualTime,
    private readonly rates: FaultRates,
    private readonly crash: (process: SimProcessRef, site: string) => void,
  ) {}

  /** Crashes and faults spent per budget (the bus's processes share one, the operations tools another). */
  private readonly spent = new Map<string, { crashes: number; faults: number }>();

  /**
   * Passes the seam `site` for `process`. `fail` makes the error a fault here would throw; without it the
   * seam only delays or crashes. `weight` multiplies the chance of either, and `budget` names the allowance
   * (maxCrashes, maxFaults) it spends: a process that passes few seams per message (the operations tools)
   * weights the ones where it holds something and has its own allowance, or the bus's many seams would
   * spend it all before the tools hold anything.
   */
  async step(process: SimProcessRef, site: string, fail?: () => Error, weight = 1, budget = 'bus'): Promise<void> {
    if (!process.alive) return never();
    this.log.steps++;
    let spent = this.spent.get(budget);
    if (!spent) this.spent.set(budget, (spent = { crashes: 0, faults: 0 }));
    const r = this.time.random();
    if (process.id > 0 && spent.crashes < this.rates.maxCrashes && r < this.rates.crash * weight) {
      spent.crashes++;
      this.log.crashes++;
      this.count(`crash@${site}`);
      this.crash(process, site);
      return never();
    }
    if (fail && process.id > 0 && spent.faults < this.rates.maxFaults && this.time.random() < this.rates.fault * weight) {
      spent.faults++;
      this.log.faults++;
      this.count(`fault@${site}`);
      throw fail();
    }
    // Mostly no delay (same virtual instant, FIFO); sometimes a few milliseconds, which reorders.
    const d = this.time.random();
    await this.time.sleep(d < 0.6 ? 0 : d < 0.9 ? 1 : Math.floor(d * 10));
  }

  private count(what: string): void {
    this.log.sites.set(what, (this.log.sites.get(what) ?? 0) + 1);
  }
}

/** A promise that never settles: the continuation of a crashed process. */
export const never = (): Promise<never> => new Promise<never>(() => undefined);
