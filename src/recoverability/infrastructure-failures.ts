/** How many infrastructure failures in a row, with other messages succeeding meanwhile, make a message poison. */
export const INFRASTRUCTURE_FAILURE_LIMIT = 10;
/** Messages tracked at most (the oldest are forgotten first): failures are rare, memory stays bounded. */
const TRACKED = 10_000;

interface Record {
  /** Successes of other messages counted when this one first failed. */
  readonly successesAtFirst: number;
  /** The latest failures (at most the limit), and how many there were in all. */
  readonly errors: string[];
  count: number;
}

/** What the failure observer does with a message that failed around the infrastructure. */
export type InfrastructureVerdict =
  /** The first failure in a row: release it (a blip passes by itself). */
  | { readonly action: 'release' }
  /** Again: move it behind the others (a delayed copy, no failure counted), so it cannot block the queue. */
  | { readonly action: 'defer'; readonly failures: number }
  /** It keeps failing while others succeed: no outage — the error queue, with every failure. */
  | { readonly action: 'poison'; readonly errors: readonly string[] };

/**
 * Tells an outage from a message that only fails around infrastructure. A store or broker failure does
 * not count against a message (during an outage every message fails, and none may be poisoned); but a
 * message failing that way again and again while other messages succeed is facing no outage — after
 * INFRASTRUCTURE_FAILURE_LIMIT such failures it goes to the error queue with every failure recorded. From
 * the second failure in a row it is moved behind the others instead of released to the head of its queue,
 * so it never blocks them (and their successes show whether the infrastructure works). Per endpoint and
 * process: copies retried in other processes are bounded there the same way.
 */
export class InfrastructureFailures {
  private readonly failing = new Map<string, Record>();
  private successes = 0;

  /** A message completed: the infrastructure works; its own record (if any) is cleared. */
  succeeded(messageId: string): void {
    this.successes++;
    if (this.failing.size > 0) this.failing.delete(messageId);
  }

  failed(messageId: string, error: string): InfrastructureVerdict {
    let record = this.failing.get(messageId);
    if (!record) {
      if (this.failing.size >= TRACKED) this.failing.delete(this.failing.keys().next().value!);
      record = { successesAtFirst: this.successes, errors: [], count: 0 };
      this.failing.set(messageId, record);
    }
    record.count++;
    record.errors.push(error);
    if (record.errors.length > INFRASTRUCTURE_FAILURE_LIMIT) record.errors.shift(); // an outage: keep the latest
    if (record.count >= INFRASTRUCTURE_FAILURE_LIMIT && this.successes > record.successesAtFirst) {
      this.failing.delete(messageId);
      return { action: 'poison', errors: record.errors };
    }
    return record.count === 1 ? { action: 'release' } : { action: 'defer', failures: record.count };
  }
}
