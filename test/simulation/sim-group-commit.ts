import { CommitLane } from '../../src/stores/sql/group-commit/commit-lane.js';
import type { GroupMember } from '../../src/stores/sql/group-commit/group-member.js';
import type { SqlTransaction } from '../../src/stores/sql/sql-database.js';

/** CommitLane's private putBack, as the simulator patches it. */
type PutBack = (this: CommitLane, tx: SqlTransaction, members: readonly GroupMember[], retry: GroupMember[]) => Promise<void>;
const lane = CommitLane.prototype as unknown as { putBack: PutBack };

/** What a run's group-commit lanes did that the simulator wants to see happen. */
export interface PutBackCount {
  /** Batches that gave no turn to their last members (open longer than a write turn). */
  batches: number;
  /** Members put back to the next batch. */
  members: number;
}

/**
 * Counts CommitLane's put-backs for one run (a batch open longer than SQLite's write turn sends its
 * members still waiting to the next batch), and with `keepsClaim` ('gc-putback-keeps-claim') breaks it:
 * the put-back members' claims stay in the batch's transaction, so they commit as claimed, 'completed',
 * rows with no work done, and every copy of those messages is then ignored (lost). Returns the restore:
 * the prototype is shared by every lane of the process, and runs follow one another.
 */
export function instrumentPutBack(count: PutBackCount, keepsClaim: boolean): () => void {
  const original = lane.putBack;
  lane.putBack = async function (this: CommitLane, tx, members, retry) {
    count.batches++;
    count.members += members.length;
    if (!keepsClaim) return original.call(this, tx, members, retry);
    retry.push(...members);
  };
  return () => {
    lane.putBack = original;
  };
}
