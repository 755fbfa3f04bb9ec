/** Where in the queue's order (priority DESC, id) a batch take may start instead of the head. */
export interface TakePosition {
  readonly priority: number;
  readonly id: unknown;
}

/** A taken row as the floor needs it: ordered as the take returned it (priority DESC, id). */
interface PositionedRow {
  readonly id: unknown;
  readonly priority: number;
}

/**
 * The start of the next batch take, so that draining a large backlog does not walk, at every take, the
 * index entries of every row deleted since the table's last vacuum (they sit at the head of the index: a
 * take at 1M rows waiting read hundreds of such pages, 10× the cost of one at 20k). A hint only: rows
 * before it — released by another consumer, come due, of a higher priority, enqueued later — are found by
 * a full take from the head, which runs at least every `fullEveryMs`, whenever a take from the floor finds
 * nothing, and after any short take (the end of the queue is near: every take scans it all, as before).
 */
export class TakeFloor {
  private floor: TakePosition | null = null;
  private fullAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fullEveryMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Where this take may start; null: from the head of the queue (a full take). */
  current(): TakePosition | null {
    // A clock stepped back (elapsed < 0) counts as due: a full take, rather than none for as long as the step.
    const elapsed = this.clock() - this.fullAt;
    return this.floor !== null && elapsed >= 0 && elapsed < this.fullEveryMs ? this.floor : null;
  }

  /** After a take: the rows it returned (in order), whether it was a full take, and the limit it asked for. */
  taken(rows: readonly PositionedRow[], full: boolean, limit: number): void {
    if (full) this.fullAt = this.clock();
    const last = rows.at(-1);
    if (rows.length < limit || last === undefined) {
      this.floor = null;
      return;
    }
    // Its own first row: the rows of this batch not settled yet, or locked by others when it was taken, stay in range.
    const first = rows.find((r) => r.priority === last.priority)!;
    this.floor = { priority: last.priority, id: first.id };
  }
}
