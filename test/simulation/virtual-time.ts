import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Virtual time for the deterministic simulator (FoundationDB's simulation, TigerBeetle's VOPR): while a run
 * is on, the global timers and Date.now read one virtual clock, and every callback waits in one queue
 * ordered by (time, sequence). The run loop takes the next callback, advances the clock to it, runs it and
 * lets the microtasks it caused settle before the next: with no real I/O (memory transport and stores,
 * synchronous SQLite) the whole run is a function of the seed. Each callback belongs to the simulated
 * process that scheduled it (read from an AsyncLocalStorage); a crashed process's callbacks are dropped,
 * which freezes everything it was doing, as SIGKILL would. randomUUID is seeded too, so a failing seed
 * replays exactly.
 */
export interface SimProcessRef {
  readonly id: number;
  alive: boolean;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly owner: SimProcessRef | undefined;
  run: (() => void) | null;
  readonly interval: number;
}

const real = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
  dateNow: Date.now,
  randomUUID: crypto.randomUUID,
};

/** mulberry32: small, seeded, good enough to drive scheduling and faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A timer handle as Node's code uses it (unref/ref/hasRef), pointing at its queue entry. */
class VirtualHandle {
  constructor(readonly timer: Timer) {}
  unref(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  hasRef(): boolean {
    return false;
  }
  refresh(): this {
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.timer.seq;
  }
}

/**
 * One store for every run: each enabled AsyncLocalStorage adds work to every async resource Node creates,
 * so a new one per run made run N cost N times the first.
 */
const processOwner = new AsyncLocalStorage<SimProcessRef>();

export class VirtualTime {
  /** Which simulated process the running code belongs to. */
  readonly process = processOwner;
  readonly random: () => number;
  private now: number;
  private seq = 0;
  private readonly queue: Timer[] = [];
  private uuids = 0;

  constructor(
    readonly seed: number,
    start = Date.UTC(2026, 0, 1),
  ) {
    this.random = seededRandom(seed);
    this.now = start;
  }

  get time(): number {
    return this.now;
  }

  /** Replaces the globals; returns the function that restores them. */
  install(): () => void {
    const g = globalThis as Record<string, unknown>;
    g.setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => this.schedule(() => fn(...args), ms ?? 0, 0);
    g.setInterval = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => this.schedule(() => fn(...args), ms ?? 0, Math.max(1, ms ?? 1));
    g.setImmediate = (fn: (...a: unknown[]) => void, ...args: unknown[]) => this.schedule(() => fn(...args), 0, 0);
    const clear = (handle: unknown) => {
      if (handle instanceof VirtualHandle) handle.timer.run = null;
    };
    g.clearTimeout = clear;
    g.clearInterval = clear;
    g.clearImmediate = clear;
    Date.now = () => this.now;
    (crypto as { randomUUID: () => string }).randomUUID = () => this.uuid();
    syncBuiltinESMExports();
    return () => {
      Object.assign(g, { setTimeout: real.setTimeout, clearTimeout: real.clearTimeout, setInterval: real.setInterval });
      Object.assign(g, { clearInterval: real.clearInterval, setImmediate: real.setImmediate, clearImmediate: real.clearImmediate });
      Date.now = real.dateNow;
      (crypto as { randomUUID: () => string }).randomUUID = real.randomUUID;
      syncBuiltinESMExports();
    };
  }

  /** Resolves after `ms` of virtual time, for the calling process (never, if it crashes meanwhile). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(resolve, ms, 0));
  }

  /**
   * Runs callbacks in virtual-time order until `done()` says so, nothing is left, or the clock passes
   * `until`. Resolves to the reason it stopped.
   */
  async run(done: () => boolean, until: number): Promise<'done' | 'idle' | 'time'> {
    for (;;) {
      await new Promise((r) => real.setImmediate(r)); // let the last callback's microtasks settle
      if (done()) return 'done';
      const next = this.pop();
      if (!next) return 'idle';
      if (next.at > until) return 'time';
      this.now = next.at;
      const run = next.run;
      if (!run || (next.owner && !next.owner.alive)) continue;
      if (next.interval > 0) this.push({ ...next, at: this.now + next.interval, seq: ++this.seq });
      run();
    }
  }

  private schedule(fn: () => void, ms: number, interval: number): VirtualHandle {
    const timer: Timer = { at: this.now + Math.max(0, Math.floor(ms)), seq: ++this.seq, owner: this.process.getStore(), run: fn, interval };
    this.push(timer);
    return new VirtualHandle(timer);
  }

  private uuid(): string {
    const n = ++this.uuids;
    const hex = (n.toString(16) + Math.floor(this.random() * 0xffffffff).toString(16)).padStart(32, '0').slice(-32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  // A binary heap on (at, seq).
  private push(t: Timer): void {
    const q = this.queue;
    q.push(t);
    for (let i = q.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(q[i]!, q[p]!)) break;
      [q[i], q[p]] = [q[p]!, q[i]!];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const q = this.queue;
    const top = q[0];
    const last = q.pop();
    if (q.length > 0 && last) {
      q[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < q.length && before(q[l]!, q[m]!)) m = l;
        if (r < q.length && before(q[r]!, q[m]!)) m = r;
        if (m === i) break;
        [q[i], q[m]] = [q[m]!, q[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
