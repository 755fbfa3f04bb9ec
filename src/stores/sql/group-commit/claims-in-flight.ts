/**
 * The messageIds claimed by this process's open shared transactions. A second copy of such a message
 * waits here for that transaction to end, then joins a later batch: two copies in one transaction would
 * see each other's uncommitted claim, and a copy waiting in the database on another lane's claim could
 * close a wait cycle between the two lanes.
 */
export class ClaimsInFlight {
  private readonly held = new Map<string, Promise<void>>();

  /** The end of the transaction holding `messageId`, or undefined when none does. */
  holder(messageId: string): Promise<void> | undefined {
    return this.held.get(messageId);
  }

  hold(messageIds: readonly string[], until: Promise<void>): void {
    for (const id of messageIds) this.held.set(id, until);
  }

  release(messageIds: readonly string[], until: Promise<void>): void {
    for (const id of messageIds) if (this.held.get(id) === until) this.held.delete(id);
  }
}
