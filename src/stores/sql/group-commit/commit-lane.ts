import { StoreError } from '../../../errors/errors.js';
import { ProcessingStatus } from '../../../idempotence/idempotence-service.js';
import type { SqlDatabase, SqlTransaction } from '../sql-database.js';
import type { GroupCommitStatements } from '../sql-statements.js';
import type { ClaimsInFlight } from './claims-in-flight.js';
import type { GroupMember } from './group-member.js';

export interface LaneContext {
  readonly database: SqlDatabase;
  readonly statements: GroupCommitStatements;
  readonly inboxWorkQueueUri: string;
  readonly claims: ClaimsInFlight;
  readonly maxBatchSize: number;
  /** Hands a member that must wait for another transaction back to the service, to be routed again later. */
  resubmit(member: GroupMember): void;
  /** When a row completed at `now` may be purged (retention), or null. */
  purgeAfter(messageType: string, now: number): number | null;
  /** Called for each member of a committed batch (its sends are in `member.deferred`). */
  committed(member: GroupMember): void;
}

/**
 * One shared transaction at a time, on a connection of its own. A cycle takes the members waiting (up to
 * maxBatchSize), claims them all in one statement, gives each claimed member its turn on the connection
 * (a handler failure rolls back to the member's savepoint and deletes its claim, nobody else's work),
 * then stores the batch's sends, marks the members that stored sends 'handled' and commits — DESIGN.md's
 * per-message sequence, with the statements of many messages in one transaction. A member that stored no
 * sends commits 'completed' straight away: it owes nothing, so a later copy is simply ignored. Members
 * arriving meanwhile form the next batch, so the batch grows with the load and a lone message commits at once.
 */
export class CommitLane {
  private readonly waiting: GroupMember[] = [];
  private running = false;
  private inBatch = 0;
  /** The next batch's transaction, opened by the previous batch's commit when members were waiting. */
  private open: SqlTransaction | null = null;

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
      while (this.waiting.length > 0) {
        let end!: () => void;
        const done = new Promise<void>((resolve) => (end = resolve));
        const batch = this.form(done);
        if (batch.length > 0) await this.run(batch, done);
        end();
      }
    } finally {
      const open = this.open;
      this.open = null;
      this.running = false;
      await open?.rollback().catch(() => undefined);
    }
  }

  /**
   * Takes the next batch. A member whose message is claimed by an open transaction (or already in this
   * batch) waits for that transaction's end, then is routed again.
   */
  private form(done: Promise<void>): GroupMember[] {
    const batch: GroupMember[] = [];
    const ids = new Set<string>();
    while (this.waiting.length > 0 && batch.length < this.ctx.maxBatchSize) {
      const member = this.waiting.shift()!;
      const holder = ids.has(member.messageId) ? done : this.ctx.claims.holder(member.messageId);
      if (holder !== undefined) {
        void holder.then(() => this.ctx.resubmit(member));
        continue;
      }
      ids.add(member.messageId);
      batch.push(member);
    }
    return batch;
  }

  private async run(batch: GroupMember[], done: Promise<void>): Promise<void> {
    const ids = batch.map((m) => m.messageId);
    this.ctx.claims.hold(ids, done);
    this.inBatch = batch.length;
    let tx: SqlTransaction | null = null;
    const succeeded: GroupMember[] = [];
    const retry: GroupMember[] = [];
    try {
      tx = this.open ?? (await this.ctx.database.begin());
      this.open = null;
      const assigned = await this.claim(tx, batch, retry);
      for (const member of assigned) {
        if (await this.turn(tx, member)) succeeded.push(member);
      }
      if (succeeded.length > 0) {
        await this.finish(tx, succeeded);
        if (this.waiting.length > 0 && tx.commitAndBegin) {
          await tx.commitAndBegin();
          this.open = tx;
        } else await tx.commit();
        tx = null;
        for (const member of succeeded) this.ctx.committed(member);
        for (const member of succeeded) member.settle();
      }
    } catch (error) {
      // Nothing of this batch committed: every member still waiting learns why (and is released by its pipeline).
      retry.length = 0;
      for (const member of batch) {
        member.failStatus(error);
        member.settle(error);
      }
    } finally {
      if (tx) await tx.rollback().catch(() => undefined);
      this.inBatch = 0;
      this.ctx.claims.release(ids, done);
      for (const member of retry) this.ctx.resubmit(member);
    }
  }

  /** One statement claims every new message; the others get the status of their committed row. */
  private async claim(tx: SqlTransaction, batch: GroupMember[], retry: GroupMember[]): Promise<GroupMember[]> {
    const s = this.ctx.statements;
    const inbox = this.ctx.inboxWorkQueueUri;
    const now = Date.now();
    const types = batch.map((m) => m.message!.messageType);
    const rows = await tx.query<{ message_id: string }>(s.claimMany, [
      inbox,
      batch.map((m) => m.messageId),
      types,
      now,
      types.map((t) => this.ctx.purgeAfter(t, now)),
    ]);
    const claimed = new Set(rows.map((r) => r.message_id));
    const others = batch.filter((m) => !claimed.has(m.messageId));
    if (others.length > 0) {
      const found = await tx.query<{ message_id: string; status: string }>(s.statusMany, [inbox, others.map((m) => m.messageId)]);
      const status = new Map(found.map((r) => [r.message_id, r.status]));
      for (const member of others) {
        const row = status.get(member.messageId);
        if (row === 'handled') member.resolveStatus(ProcessingStatus.MessageHandled);
        else if (row === 'completed') member.resolveStatus(ProcessingStatus.Ignore);
        else if (row === undefined) retry.push(member); // a completed row purged between the two statements: claim it anew
        else member.failStatus(new StoreError(`idempotence row committed as '${row}'`, { messageId: member.messageId }));
      }
    }
    return batch.filter((m) => claimed.has(m.messageId));
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

  /** Removes one member's work from the shared transaction; a failure here fails the whole batch. */
  private async undo(tx: SqlTransaction, member: GroupMember): Promise<void> {
    const s = this.ctx.statements;
    const mt = member.memberTransaction;
    try {
      if (mt.usedSavepoint) {
        await mt.savepointOpened().catch(() => undefined);
        await tx.execute(s.rollbackToSavepoint(mt.savepointName));
      }
      await tx.execute(s.deleteClaim, [this.ctx.inboxWorkQueueUri, member.messageId]);
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
    const inbox = this.ctx.inboxWorkQueueUri;
    const owing = succeeded.filter((m) => m.deferred.length > 0);
    if (owing.length === 0) return;
    const sends = owing.flatMap((m) => m.deferred.map((d, sequence) => ({ id: m.messageId, sequence, d })));
    const marked = await tx.execute(s.storeSendsMany, [
      inbox,
      sends.map((x) => x.id),
      sends.map((x) => x.sequence),
      sends.map((x) => x.d.messageId),
      sends.map((x) => x.d.recipientUri),
      sends.map((x) => x.d.body),
      owing.map((m) => m.messageId),
    ]);
    if (marked !== owing.length) throw new StoreError(`messageHandled marked ${marked} of ${owing.length} claims`);
  }
}
