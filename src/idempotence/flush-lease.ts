/**
 * The flush lease: while one copy of a message dispatches its stored sends, any other copy that finds the
 * message 'handled' waits, and then finds it completed — so in normal operation each stored send goes out
 * once. The lease has an end (`flushLeaseMs`), so a copy that crashed mid-flush holds nobody up for longer.
 */
export type FlushLeaseAttempt =
  | { readonly outcome: 'taken' }
  /** Nothing is owed any more: another copy completed the message. */
  | { readonly outcome: 'completed' }
  /** Another copy holds the lease until `until` (epoch ms). */
  | { readonly outcome: 'held'; readonly until: number };

/**
 * Default lease: a flush takes milliseconds (one broker confirm per send), so seconds leave room for a slow
 * broker; and it is what a crash between commit and completion costs the redelivered copy at most.
 */
export const DEFAULT_FLUSH_LEASE_MS = 5_000;

/** Polling starts short (the holder is usually milliseconds from done) and backs off to this. */
const MAX_POLL_MS = 200;

/**
 * Takes the lease, waiting while another copy holds it (polling with back-off, never past the end of the
 * holder's lease). Resolves true once taken, false when the message was completed meanwhile. `onWaiting`
 * hears (once) that another copy held it.
 */
export async function takeFlushLease(attempt: () => Promise<FlushLeaseAttempt>, clock: () => number, onWaiting?: () => void): Promise<boolean> {
  for (let poll = 5; ; poll = Math.min(poll * 2, MAX_POLL_MS)) {
    const found = await attempt();
    if (found.outcome === 'taken') return true;
    if (found.outcome === 'completed') return false;
    if (poll === 5) onWaiting?.();
    const wait = Math.max(1, Math.min(poll, found.until - clock() + 1));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
