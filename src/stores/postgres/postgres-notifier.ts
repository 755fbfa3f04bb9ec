import type pg from 'pg';

/** A wait for the next insert into one queue table. */
export interface EnqueueWait {
  /** Resolves at the next notified insert into the table, or after the wait's time, whichever is first. */
  readonly done: Promise<void>;
  cancel(): void;
}

/** After a failed LISTEN, how long to poll before trying again. */
const RETRY_LISTEN_MS = 5000;

/** The payload announcing a subscription change: never a queue table's name (those are plain identifiers). */
export const SUBSCRIPTIONS_CHANGED = 'oncebus:subscriptions';

/**
 * Wakes this process's receivers when rows are inserted into a queue table: each queue table has a
 * statement trigger that notifies the store's channel with the table's name when its transaction commits,
 * and one connection of this process (outside the pool) listens. Without it a receiver finding its queue
 * empty polls. Best effort: while the listener is down, waits simply run out and receivers poll.
 */
export class PostgresNotifier {
  private client: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private failedAt = 0;
  private closed = false;
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Counts subscription announcements, and the listener's losses and returns (what it may have missed). */
  private subscriptionGeneration = 0;

  constructor(
    /** A new client outside the pool, to the server the pool's connections go to (PostgresDatabase.newClient). */
    private readonly newClient: (config: pg.ClientConfig) => pg.Client,
    readonly channel: string,
  ) {}

  /** Starts waiting for an insert into `table` (call before looking, so one made meanwhile is not missed). */
  wait(table: string, ms: number): EnqueueWait {
    this.listen();
    let wake: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      wake = () => {
        clearTimeout(timer);
        this.waiters.get(table)?.delete(wake);
        resolve();
      };
      timer = setTimeout(wake, ms);
    });
    let set = this.waiters.get(table);
    if (!set) this.waiters.set(table, (set = new Set()));
    set.add(wake);
    return { done, cancel: wake };
  }

  /** Listens now (waits also start it, lazily); resolves once listening, or once that failed. */
  async ready(): Promise<void> {
    this.listen();
    await this.listening;
  }

  /**
   * Changes at every announced subscription change and whenever the listener was lost or came back; null
   * while not listening (starting to, lazily), when announcements cannot be heard.
   */
  subscriptionsGeneration(): number | null {
    this.listen();
    return this.client ? this.subscriptionGeneration : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private listen(): void {
    if (this.closed || this.listening || Date.now() - this.failedAt < RETRY_LISTEN_MS) return;
    // TCP keep-alive: a connection that dies silently (a half-open socket) is found and the listener made again.
    const client = this.newClient({ keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    this.listening = (async () => {
      client.on('notification', (n) => this.notified(n.payload ?? ''));
      client.on('error', () => this.dropped(client));
      client.on('end', () => this.dropped(client));
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed) await client.end();
      else {
        this.client = client;
        this.subscriptionGeneration++;
      }
    })().catch(() => this.dropped(client));
  }

  private notified(table: string): void {
    if (table === SUBSCRIPTIONS_CHANGED) this.subscriptionGeneration++;
    const set = this.waiters.get(table);
    if (set) for (const wake of [...set]) wake();
  }

  /** The listener is gone (server restart, network): receivers poll until the next wait listens again. */
  private dropped(client: pg.Client): void {
    if (this.client === client) this.client = null;
    this.subscriptionGeneration++;
    if (this.listening !== null) this.failedAt = Date.now();
    this.listening = null;
    void client.end().catch(() => undefined);
  }
}

/** The store's notification channel: one per schema (at most 63 characters, as PostgreSQL keeps). */
export const queueChannel = (schema: string): string => `oncebus_${schema}`.slice(0, 63);
