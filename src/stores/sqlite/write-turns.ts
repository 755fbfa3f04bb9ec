/** How long one process may keep SQLite's write lock, handing it from one holder to the next, before it lets other processes in. */
export const WRITE_TURN_MS = 500;
/**
 * How long the write lock stays free when a turn ends: long enough for another process's SQLITE_BUSY
 * poll (at most WRITE_POLL_MAX_MS apart, see SqliteDatabase.retrying) to land in it twice.
 * All three are defaults of the store's `writeTurns` option (write-turn-options.ts).
 */
export const WRITE_GAP_MS = 10;
/** The longest pause between two tries at the write lock while another process holds it. */
export const WRITE_POLL_MAX_MS = 4;

/**
 * The in-process lock over a SQLite file's one write connection: FIFO, and fair to other processes.
 *
 * Within a process the lock passes from one holder to the next in microtasks, while another process
 * waiting for SQLite's file lock only polls SQLITE_BUSY every few milliseconds: it would almost never
 * find the file free, and a process with steady work (or a stream of handlers that hang until their
 * timeout) would keep the others out for as long as that lasts. So a process's turn is bounded: once the
 * lock has been busy here for `turnMs` without a free gap of `gapMs`, the next holder waits until it has
 * been free for `gapMs` — every transaction here has committed or rolled back by then, so the file lock
 * is free and another process's BEGIN IMMEDIATE can take it. A turn is counted in holders, not
 * statements: one holder (a transaction with a hung handler) keeps the lock until it ends.
 *
 * A `turnMs` of Infinity never ends a turn (`writeTurns: false`, a process alone on its file): a plain
 * FIFO lock, which gives no gap even when the clock steps back.
 */
export class WriteTurns {
  private readonly waiting: (() => void)[] = [];
  private held = false;
  /** Whether a gap is being given (the lock looks held: newcomers queue). */
  private yielding = false;
  /** When the lock last went from free (for at least a gap) to held. */
  private busySince = 0;
  /** When the lock was last released with nobody waiting. */
  private freeSince = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly turnMs = WRITE_TURN_MS,
    private readonly gapMs = WRITE_GAP_MS,
  ) {}

  /** Resolves to the function that releases the lock (a second call does nothing). */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => resolve(this.releaser());
      if (this.held || this.yielding) this.waiting.push(grant);
      else this.grant(grant, Date.now() - this.freeSince);
    });
  }

  /**
   * The holder has just taken the file's write lock after waiting for another process (SQLITE_BUSY):
   * this process's turn starts now, not when it began waiting.
   */
  turnStarts(): void {
    this.busySince = Date.now();
  }

  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Gives the lock to `next`, after a gap when this process's turn is over; `freeFor` is how long it has been free. */
  private grant(next: () => void, freeFor: number): void {
    if (this.turnMs === Number.POSITIVE_INFINITY) {
      this.held = true;
      next();
      return;
    }
    const now = Date.now();
    // A clock stepped back (a negative interval) ends what it measures, rather than stretching it by the step.
    const turn = now - this.busySince;
    if (freeFor >= this.gapMs || freeFor < 0) this.busySince = now;
    else if (turn >= this.turnMs || turn < 0) {
      this.yielding = true;
      setTimeout(() => {
        this.yielding = false;
        this.busySince = Date.now();
        this.held = true;
        next();
      }, this.gapMs - freeFor);
      return;
    }
    this.held = true;
    next();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held = false;
      const next = this.waiting.shift();
      if (next) this.grant(next, 0);
      else this.freeSince = Date.now();
    };
  }
}
