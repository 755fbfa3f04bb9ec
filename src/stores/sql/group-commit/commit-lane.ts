import { StoreError } from '../../../errors/errors.js';
import { rolledBackAtCommit, type SqlTransaction } from '../sql-database.js';
import { beginAndClaim, type ClaimContext, type ClaimRow, claimParameters, sortClaims } from './batch-claim.js';
import type { ClaimsInFlight } from './claims-in-flight.js';
import type { GroupMember } from './group-member.js';
import { packBodies } from '../packed-bodies.js';
import { settable } from '../settable.js';
import { executeSteps } from './statement-steps.js';

export interface LaneContext extends ClaimContext {
  readonly claims: ClaimsInFlight;
  readonly maxBatchSize: number;
  /** How long the flush lease written with a member's sends lasts (ms). */
  readonly flushLeaseMs: number;
  /** Hands a member that must wait for another transaction back to the service, to be routed again later. */
  resubmit(member: GroupMember): void;
  /** Called once a batch committed: how many members' work it held, and how long its COMMIT took. */
  batchCommitted?(size: number, commitSeconds: number): void;
  /** Called for each member of a committed batch (its sends are in `member.deferred`). */
  committed(member: GroupMember): void;
}

/** A batch's members, the end of its transaction (duplicates wait on it), and its claim once made. */
interface Batch {
  readonly members: GroupMember[];
  readonly ids: string[];
  readonly done: Promise<void>;
  readonly end: () => void;
  claimed?: { readonly tx: SqlTransaction; readonly rows: Promise<readonly ClaimRow[]> };
}

/**
 * One shared transaction at a time, on a connection of its own. A cycle takes the members waiting (up to
 * maxBatchSize), claims them all in one statement, gives each claimed member its turn on the connection
 * (a handler failure rolls back to the member's savepoint and deletes its claim, nobody else's work),
 * then stores the batch's sends, marks the members that stored sends 'handled' and commits — the
 * per-message sequence (claim, handler, stored sends, 'handled', commit), with the statements of many
 * messages in one transaction. A member that stored no sends commits 'completed' straight away: it owes nothing, so a later copy is simply ignored. Members
 * arriving meanwhile form the next batch, whose BEGIN and claim ride in the same round trip as this
 * batch's COMMIT; so the batch grows with the load and a lone message commits at once. Where one writer
 * serves every process (SQLite: `writeTurnMs`), a batch gives no turn to a member once it has been open
 * that long: the rest are unclaimed and go to the next batch (putBack).
 */
export class CommitLane {
  private readonly waiting: GroupMember[] = [];
  private running = false;
  private inBatch = 0;
  /** The next batch, claimed in the transaction the previous batch's commit opened. */
  private pending: Batch | null = null;

  constructor(private readonly ctx: LaneContext) {}

  /** Members waiting or in the open batch: the service routes to the least loaded lane. */
  get load(): number {
    return this.waiting.length + this.inBatch;
  }

  submit(member: GroupMember): void {
    this.waiting.push(member);
    if (this.running) return;
    this.running = true;
    // One turn of the event loop, so messages taken in the same turn (a prefetched burst) share a batch.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending || this.waiting.length > 0) {
        const batch = this.pending ?? this.form();
        this.pending = null;
        if (batch.members.length > 0) await this.run(batch);
        batch.end();
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Takes the next batch and holds its messageIds. A member whose message is claimed by an open
   * transaction (or already in this batch) waits for that transaction's end, then is routed again.
   */
  private form(): Batch {
    const ended = settable<void>();
    const done = ended.promise;
    const members: GroupMember[] = [];
    const ids: string[] = [];
    const seen = new Set<string>();
    while (this.waiting.length > 0 && members.length < this.ctx.maxBatchSize) {
      const member = this.waiting.shift()!;
      const holder = seen.has(member.messageId) ? done : this.ctx.claims.holder(member.messageId);
      if (holder !== undefined) {
        void holder.then(() => this.ctx.resubmit(member));
        continue;
      }
      seen.add(member.messageId);
      ids.push(member.messageId);
      members.push(member);
    }
    this.ctx.claims.hold(ids, done);
    return { members, ids, done, end: () => ended.resolve() };
  }

  /** A batch formed but never begun goes back to the head of the queue, its messageIds released. */
  private giveBack(batch: Batch): void {
    this.ctx.claims.release(batch.ids, batch.done);
    batch.end();
    this.waiting.unshift(...batch.members);
  }

  private async run(batch: Batch): Promise<void> {
    this.inBatch = batch.members.length;
    let tx: SqlTransaction | null = null;
    const succeeded: GroupMember[] = [];
    const retry: GroupMember[] = [];
    try {
      const claimed = batch.claimed ?? (await beginAndClaim(this.ctx, batch.members));
      tx = claimed.tx;
      const assigned = await sortClaims(this.ctx, tx, batch.members, await claimed.rows, retry);
      // Only where one writer serves every process (SQLite) is a batch's time bounded: no clock read per member elsewhere.
      const turnMs = this.ctx.database.writeTurnMs;
      const openedAt = turnMs === undefined ? 0 : Date.now();
      for (let i = 0; i < assigned.length; i++) {
        // Open past its turn (or the clock stepped back: the turn is over rather than stretched by the step).
        const open = turnMs === undefined || i === 0 ? 0 : Date.now() - openedAt;
        if (turnMs !== undefined && (open > turnMs || open < 0)) {
          await this.putBack(tx, assigned.slice(i), retry);
          break;
        }
        if (await this.turn(tx, assigned[i]!)) succeeded.push(assigned[i]!);
      }
      if (succeeded.length > 0) {
        await this.finish(tx, succeeded);
        const committing = tx;
        tx = null; // ended (or handed to the next batch) by commit, whatever its outcome
        const committingSince = performance.now();
        await this.commit(committing);
        this.ctx.batchCommitted?.(succeeded.length, (performance.now() - committingSince) / 1000);
        for (const member of succeeded) this.ctx.committed(member);
        for (const member of succeeded) member.settle();
      }
    } catch (error) {
      // Nothing of this batch is known to have committed: every member still waiting learns why (and is
      // released by its pipeline; a redelivered copy finds its row if the commit did happen).
      retry.length = 0;
      for (const member of batch.members) {
        member.failStatus(error);
        member.settle(error);
      }
    } finally {
      if (tx) await tx.rollback().catch(() => undefined);
      this.inBatch = 0;
      this.ctx.claims.release(batch.ids, batch.done);
      for (const member of retry) this.ctx.resubmit(member);
    }
  }

  /**
   * Commits; when members are waiting and the driver can, the next batch's BEGIN and claim go in the same
   * round trip and that batch becomes `pending`. This batch's outcome is known once the database answers
   * its COMMIT — its members flush and acknowledge while the next claim may still wait on another
   * transaction's row. A round trip that fails before that answer leaves this commit's outcome unknown:
   * the batch fails (a redelivered copy finds its row if it did commit) and the next batch is formed again.
   */
  private async commit(tx: SqlTransaction): Promise<void> {
    const next = this.waiting.length > 0 && tx.commitAndBeginWith ? this.form() : null;
    if (!next || next.members.length === 0) {
      next?.end();
      return tx.commit();
    }
    const outcome = tx.commitAndBeginWith!<ClaimRow>(this.ctx.statements.claimMany, claimParameters(this.ctx, next.members));
    let committed: boolean;
    try {
      committed = await outcome.committed;
    } catch (error) {
      this.giveBack(next);
      throw error;
    }
    next.claimed = { tx, rows: outcome.rows };
    this.pending = next;
    if (!committed) throw rolledBackAtCommit('batch');
  }

  /**
   * The member's turn: it runs its handler on the shared connection until the pipeline commits or rolls
   * it back. True when its work stays in the batch.
   */
  private async turn(tx: SqlTransaction, member: GroupMember): Promise<boolean> {
    const s = this.ctx.statements;
    const how = await member.grantSection(tx);
    const mt = member.memberTransaction;
    if (how === 'commit') {
      try {
        if (!member.handled) throw new StoreError('unit of work committed before messageHandled', { messageId: member.messageId });
        if (mt.usedSavepoint) {
          await mt.savepointOpened();
          // Fails when the handler swallowed a failed statement (the transaction is then aborted).
          await tx.execute(s.releaseSavepoint(mt.savepointName));
        }
        return true;
      } catch (error) {
        await this.undo(tx, member);
        member.settle(error);
        return false;
      }
    }
    await this.undo(tx, member);
    member.settle();
    return false;
  }

  /**
   * The batch has kept the database's one writer (SQLite) for its turn: the members that have not had
   * theirs leave it unclaimed and go to the next batch, so handlers that hang until handlerTimeout one
   * after another cannot keep other processes from writing for the sum of their timeouts. No handler of
   * theirs has run; a failure here fails the whole batch.
   */
  private async putBack(tx: SqlTransaction, members: readonly GroupMember[], retry: GroupMember[]): Promise<void> {
    for (const member of members) await tx.execute(this.ctx.statements.deleteClaim, this.ctx.keys.params(member.messageId));
    retry.push(...members);
  }

  /** Removes one member's work from the shared transaction; a failure here fails the whole batch. */
  private async undo(tx: SqlTransaction, member: GroupMember): Promise<void> {
    const s = this.ctx.statements;
    const mt = member.memberTransaction;
    try {
      // A member given up (its handler timed out) may have a statement still running on the shared
      // connection: cancel it, or the whole batch would wait for it.
      if (member.lease.inFlight > 0) await tx.cancelRunning?.().catch(() => undefined);
      if (mt.usedSavepoint) {
        await mt.savepointOpened().catch(() => undefined);
        await tx.execute(s.rollbackToSavepoint(mt.savepointName));
      }
      await tx.execute(s.deleteClaim, this.ctx.keys.params(member.messageId));
    } catch (error) {
      member.settle(error);
      throw error;
    }
  }

  /**
   * Stores the batch's sends and marks the members that stored any as 'handled' (they owe sends); the
   * others' rows commit as claimed, 'completed'.
   */
  private async finish(tx: SqlTransaction, succeeded: GroupMember[]): Promise<void> {
    const s = this.ctx.statements;
    const owing = succeeded.filter((m) => m.deferred.length > 0);
    if (owing.length === 0) return;
    const sends = owing.flatMap((m) => m.deferred.map((d, sequence) => ({ id: m.messageId, sequence, d })));
    const bodies = sends.map((x) => x.d.body);
    // Packed (PostgreSQL): one binary parameter instead of a bytea[] travelling as hex text.
    const packed = s.storeSendsPackedBodies ? packBodies(bodies) : undefined;
    const params = this.ctx.keys.many(
      sends.map((x) => x.id),
      sends.map((x) => x.sequence),
      sends.map((x) => x.d.messageId),
      sends.map((x) => x.d.recipientUri),
      packed ? packed.bytes : bodies,
      owing.map((m) => m.messageId),
      owing.map((m) => m.flushOwner),
      Date.now() + this.ctx.flushLeaseMs,
    );
    if (packed) params.push(packed.starts, packed.lengths);
    const marked = await executeSteps(tx, s.storeSendsMany, params);
    if (marked !== owing.length) throw new StoreError(`messageHandled marked ${marked} of ${owing.length} claims`);
  }
}
