/** One enqueue waiting for its batch: its statement parameters and its caller. */
export interface PendingEnqueue {
  readonly params: readonly unknown[];
  resolve(): void;
  reject(error: unknown): void;
}

/** The most enqueues written by one statement or transaction. */
const MAX_BATCH = 500;

/**
 * Coalesces the enqueues made in one turn of the event loop (outside any unit of work) into one write:
 * `bus.sendMany`, or many `bus.send` calls awaited together, become one INSERT of many rows instead of a
 * commit each. Every caller's promise settles with its batch's one commit — all written, or none — so an
 * enqueue that resolved is stored, as before. A lone enqueue waits one `setImmediate` at most.
 */
export class EnqueueBatcher {
  private pending: PendingEnqueue[] = [];
  private scheduled = false;

  constructor(private readonly write: (batch: readonly PendingEnqueue[]) => Promise<void>) {}

  enqueue(params: readonly unknown[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ params, resolve, reject });
      if (this.pending.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.write(batch).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }
}
