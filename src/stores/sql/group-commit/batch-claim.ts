import { StoreError } from '../../../errors/errors.js';
import { ProcessingStatus } from '../../../idempotence/idempotence-service.js';
import type { SqlDatabase, SqlTransaction } from '../sql-database.js';
import type { GroupCommitStatements } from '../sql-statements.js';
import type { IdempotenceKeys } from '../../../idempotence/idempotence-key.js';
import type { GroupMember } from './group-member.js';

/** What claiming a batch needs of its lane. */
export interface ClaimContext {
  readonly database: SqlDatabase;
  readonly statements: GroupCommitStatements;
  readonly keys: IdempotenceKeys;
  /** When a row completed at `now` may be purged (retention), or null. */
  purgeAfter(messageType: string, now: number): number | null;
}

/** A row claimMany returns: a message this batch claimed. */
export type ClaimRow = { message_id: string };

/** claimMany's parameters: one statement claims every new message of the batch. */
export function claimParameters(ctx: ClaimContext, members: readonly GroupMember[]): unknown[] {
  const now = Date.now();
  const types = members.map((m) => m.message!.messageType);
  return ctx.keys.many(members.map((m) => m.messageId), types, now, types.map((t) => ctx.purgeAfter(t, now)));
}

/** A transaction with the batch's claim made, in one round trip where the driver allows. */
export async function beginAndClaim(ctx: ClaimContext, members: readonly GroupMember[]): Promise<{ tx: SqlTransaction; rows: Promise<readonly ClaimRow[]> }> {
  const db = ctx.database;
  const claim = ctx.statements.claimMany;
  const parameters = claimParameters(ctx, members);
  if (db.beginWith) {
    const { transaction, rows } = await db.beginWith<ClaimRow>(claim, parameters);
    return { tx: transaction, rows: Promise.resolve(rows) };
  }
  const tx = await db.begin();
  try {
    return { tx, rows: Promise.resolve(await tx.query<ClaimRow>(claim, parameters)) };
  } catch (error) {
    await tx.rollback().catch(() => undefined);
    throw error;
  }
}

/**
 * The members the claim returned go on (returned, to take their turns); the others get the status of
 * their committed row, or go to `retry` when that row was purged in between.
 */
export async function sortClaims(
  ctx: ClaimContext,
  tx: SqlTransaction,
  batch: readonly GroupMember[],
  rows: readonly ClaimRow[],
  retry: GroupMember[],
): Promise<GroupMember[]> {
  const claimed = new Set(rows.map((r) => r.message_id));
  const others = batch.filter((m) => !claimed.has(m.messageId));
  if (others.length > 0) {
    const found = await tx.query<{ message_id: string; status: string }>(ctx.statements.statusMany, ctx.keys.many(others.map((m) => m.messageId)));
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
