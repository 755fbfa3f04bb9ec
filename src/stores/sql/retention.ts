import type { ILogger } from '../../logging/logger.js';
import type { SqlStore } from './sql-store.js';

export interface RetentionOptions {
  /** How long completed rows are kept (ms); undefined = forever. */
  readonly windowMs?: number;
  /** Per message type windows (ms) overriding `windowMs`. */
  readonly byType?: Readonly<Record<string, number>>;
  /** Rows deleted per statement: small, so a purge never holds locks for long (default 500). */
  readonly batchSize?: number;
  /** How often the purge runs (ms, default 60 s). */
  readonly intervalMs?: number;
}

/** How long completed rows of this type are kept: its own window, else the general one; undefined = forever. */
export function retentionWindow(options: RetentionOptions, messageType: string): number | undefined {
  return options.byType?.[messageType] ?? options.windowMs;
}

/** The moment a row completed now may be removed; null = never. */
export function purgeAfter(options: RetentionOptions, messageType: string, completedAt: number): number | null {
  const window = retentionWindow(options, messageType);
  return window === undefined ? null : completedAt + window;
}

/**
 * Removes completed idempotence rows (and only those: a 'handled' row still owes its sends) whose
 * purge time has passed, in bounded batches on a timer that never blocks message processing. The purge
 * time is fixed when a row completes, so per-type windows cost nothing here. The same pass removes the
 * HTTP Idempotency-Keys whose expires_at has passed (each row carries its own, set by its route), so it
 * runs even when idempotence rows are kept forever. One pass at a time; a failing pass is logged and tried
 * again at the next tick.
 */
export class RetentionPurger {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  /** Set by stop(): a running pass ends after its current batch instead of deleting everything due. */
  private stopping = false;

  constructor(
    private readonly store: SqlStore,
    private readonly options: RetentionOptions,
    private readonly logger?: ILogger,
    /** Hears each pass that removed rows. */
    private readonly purged?: (rows: number) => void,
  ) {}

  start(): void {
    if (this.timer || (this.options.windowMs === undefined && !this.store.dialect.purgeExpiredHttpKeys)) return;
    this.timer = setInterval(() => {
      this.purgeNow().catch((e: unknown) => this.logger?.warn('retention purge failed', { error: String(e) }));
    }, this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops the timer and ends a running pass after its current batch: a pass over millions of due rows would hold the stop up for minutes. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopping = true;
    try {
      await this.running?.catch(() => undefined);
    } finally {
      this.stopping = false;
    }
  }

  /** One pass: batch after batch until one comes back short. Resolves to the rows removed. */
  purgeNow(now = Date.now()): Promise<number> {
    this.running ??= this.pass(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(now: number): Promise<number> {
    // Completed rows have purge_after set only under a window, so without one this deletes nothing.
    const total = this.options.windowMs === undefined ? 0 : await this.batches(this.store.dialect.idempotence.purgeCompleted, now);
    if (total > 0) this.purged?.(total);
    const httpKeys = this.store.dialect.purgeExpiredHttpKeys;
    if (httpKeys) await this.batches(httpKeys, now);
    return total;
  }

  /** Runs `sql` batch after batch until one comes back short; resolves to the rows removed. */
  private async batches(sql: string, now: number): Promise<number> {
    const batch = this.options.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const n = await this.store.database.execute(sql, [now, batch]);
      total += n;
      if (n < batch || this.stopping) return total;
      // Let messages through between batches.
      await new Promise((r) => setImmediate(r));
    }
  }
}
