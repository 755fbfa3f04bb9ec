import { HandlerTimeoutError } from '../errors/errors.js';

/** One handler running under the watchdog. */
export interface WatchedHandler {
  /** The handler's AbortSignal: aborted when it times out or the endpoint stops (made on first use). */
  readonly signal: AbortSignal;
}

/** A class, not an object literal with a getter: the literal made a fresh getter function per message. */
class Entry implements WatchedHandler {
  controller: AbortController | null = null;
  /** Made only when the handler returned a promise (or was given up): a synchronous handler needs none. */
  private outcome: Promise<void> | null = null;
  private resolveOutcome: (() => void) | null = null;
  private failOutcome: ((error: unknown) => void) | null = null;
  /** Set when the entry was given up before its outcome promise existed. */
  private failure: { readonly error: unknown } | null = null;

  constructor(
    readonly messageId: string,
    readonly deadline: number,
    readonly unitOfWork: { abandon?(): void } | null,
    /** The endpoint's stop reason once stop() gave up on handlers: a signal made after it is born aborted. */
    private readonly stopped: () => unknown,
  ) {}

  /** The promise the pipeline awaits: settled by resolve() or fail(), whichever comes first. */
  promise(): Promise<void> {
    if (this.outcome !== null) return this.outcome;
    if (this.failure) return (this.outcome = Promise.reject(this.failure.error));
    this.outcome = new Promise<void>((resolve, reject) => {
      this.resolveOutcome = resolve;
      this.failOutcome = reject;
    });
    return this.outcome;
  }

  resolve(): void {
    this.resolveOutcome?.();
  }

  fail(error: unknown): void {
    if (this.failOutcome) this.failOutcome(error);
    else if (this.outcome === null) this.failure = { error };
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      const reason = this.stopped();
      if (reason !== undefined) this.controller.abort(reason);
    }
    return this.controller.signal;
  }
}

/** What watch() returns for a synchronous handler that ended in time: callers may skip awaiting it. */
export const HANDLER_RAN: Promise<void> = Promise.resolve();

/**
 * Bounds how long a handler may run (`handlerTimeout`), and lets stop() give up on handlers that ignore
 * their signal. A handler past its deadline has its signal aborted and its pipeline stops waiting for it
 * (it fails with HandlerTimeoutError, so its unit of work rolls back and its message follows the retry
 * policy); whatever it does afterwards is refused by its closed transaction. One timer for all handlers:
 * deadlines come in the order handlers start, so it waits for the oldest one only.
 */
export class HandlerWatchdog {
  private readonly running = new Set<Entry>();
  private timer: NodeJS.Timeout | null = null;
  private stopped: unknown = undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly clock: () => number,
  ) {}

  /**
   * Runs `handler`; rejects when it throws, outlives its deadline, or is given up by stop(). When it is
   * given up, its unit of work is abandoned first (its transaction refuses statements before its signal fires).
   */
  watch(messageId: string, handler: (watched: WatchedHandler) => Promise<void> | void, unitOfWork: { abandon?(): void } | null = null): Promise<void> {
    const entry = new Entry(messageId, this.clock() + this.timeoutMs, unitOfWork, this.stoppedReason);
    this.running.add(entry);
    this.arm();
    // Settled by the handler's end unless the entry was given up first (timed out or stopped): then it failed already.
    let result: Promise<void> | void;
    try {
      result = handler(entry);
    } catch (error) {
      if (this.running.delete(entry)) entry.fail(error);
      return entry.promise();
    }
    if (result && typeof result.then === 'function') {
      const outcome = entry.promise();
      result.then(
        () => this.running.delete(entry) && entry.resolve(),
        (error: unknown) => this.running.delete(entry) && entry.fail(error),
      );
      return outcome;
    }
    // A synchronous handler: one shared settled promise, unless it was given up while it ran.
    return this.running.delete(entry) ? HANDLER_RAN : entry.promise();
  }

  private readonly stoppedReason = (): unknown => this.stopped;

  /** stop() has waited long enough: every running handler's signal aborts and its pipeline stops waiting. */
  abortAll(reason: unknown): void {
    this.stopped = reason;
    for (const entry of [...this.running]) this.give(entry, reason);
  }

  private give(entry: Entry, reason: unknown): void {
    this.running.delete(entry);
    entry.unitOfWork?.abandon?.();
    entry.controller?.abort(reason);
    entry.fail(reason);
  }

  private arm(): void {
    if (this.timer) return;
    const oldest = this.running.values().next().value as Entry | undefined;
    if (!oldest) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, oldest.deadline - this.clock()));
    this.timer.unref?.();
  }

  private expire(): void {
    this.timer = null;
    const now = this.clock();
    for (const entry of this.running) {
      if (entry.deadline > now) break;
      this.give(entry, new HandlerTimeoutError(entry.messageId, this.timeoutMs));
    }
    this.arm();
  }
}
