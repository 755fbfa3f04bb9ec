import { ConfigurationError } from '../../errors/errors.js';

/**
 * What a bounded connection pool can promise the endpoints using it. An in-flight message on a database
 * queue holds a connection (its row lock), and its unit of work holds another: with more receive loops
 * than the pool has connections, loops wait on each other until their statements time out, release, and
 * do it again. So each receive loop and each idempotence service reserves, at start, the connections it
 * will hold at most; a start that would need more than the pool has (less one, kept for the short
 * statements of flushes and completions) is refused with the figures to change.
 */
export class ConnectionBudget {
  private readonly reservations = new Map<symbol, { readonly owner: string; readonly connections: number }>();

  constructor(
    private readonly poolSize: number,
    /** The pool, for messages (its connection string masked), and the setting that sizes it. */
    private readonly pool: string,
    private readonly setting: string,
  ) {}

  /** Reserves `connections` for `owner`; returns the release. */
  reserve(connections: number, owner: string): () => void {
    const needed = this.reserved + connections + 1;
    if (needed > this.poolSize) {
      const holders = [...this.reservations.values(), { owner, connections }].map((r) => `${r.owner}: ${r.connections}`).join(', ');
      throw new ConfigurationError(this.setting, `the ${this.pool} pool has ${this.poolSize} connections, but the endpoints started on it need ${needed} at once (${holders}, and 1 for short statements)`, {
        hint: `raise ${this.setting} to at least ${needed}, or lower the endpoints' threadCount (each receive loop on a database queue holds a connection, and each message's unit of work another)`,
      });
    }
    const key = Symbol(owner);
    this.reservations.set(key, { owner, connections });
    return () => this.reservations.delete(key);
  }

  private get reserved(): number {
    let n = 0;
    for (const r of this.reservations.values()) n += r.connections;
    return n;
  }
}
