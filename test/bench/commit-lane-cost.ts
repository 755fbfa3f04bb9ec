// What the group-commit lane's own bookkeeping costs per message, without a database: members join a
// CommitLane whose transaction answers at once (claims every member, commits at once), and each commits
// as soon as its turn begins — the handshake between a message's pipeline and its lane, alone.
//   node dist/test/bench/commit-lane-cost.js [members]      → "commit lane: N µs of CPU per member"
import { IdempotenceKeys } from '../../src/idempotence/idempotence-key.js';
import { ProcessingStatus } from '../../src/idempotence/idempotence-service.js';
import type { SqlDatabase, SqlTransaction } from '../../src/stores/sql/sql-database.js';
import type { GroupCommitStatements } from '../../src/stores/sql/sql-statements.js';
import { ClaimsInFlight } from '../../src/stores/sql/group-commit/claims-in-flight.js';
import { CommitLane } from '../../src/stores/sql/group-commit/commit-lane.js';
import { GroupMember } from '../../src/stores/sql/group-commit/group-member.js';
import type { TransportMessage } from '../../src/envelope/transport-message.js';

const MEMBERS = Number(process.argv[2] ?? 200_000);
const LOOPS = 64;
/** The claim returns every id asked for (its second parameter): every member is new. */
const claimed = (params: readonly unknown[]) => (params[1] as string[]).map((message_id) => ({ message_id }));
const tx: SqlTransaction = {
  native: null,
  handle: () => null,
  query: async () => [],
  execute: async () => 0,
  commit: async () => undefined,
  rollback: async () => undefined,
  commitAndBeginWith: <R extends object>(_sql: string, params: readonly unknown[]) => ({ committed: Promise.resolve(true), rows: Promise.resolve(claimed(params) as unknown as R[]) }),
};
const database = {
  id: 'lane-cost',
  dialect: 'postgres',
  begin: async () => tx,
  query: async () => [],
  execute: async () => 0,
  close: async () => undefined,
  beginWith: async <R extends object>(_sql: string, params: readonly unknown[]) => ({ transaction: tx, rows: claimed(params) as unknown as R[] }),
} satisfies SqlDatabase;
const statements = { claimMany: 'claim', statusMany: 'status', storeSendsMany: 'store', deleteClaim: 'delete', completeMany: 'complete', savepoint: (n: string) => n, rollbackToSavepoint: (n: string) => n, releaseSavepoint: (n: string) => n } satisfies GroupCommitStatements;
const lane: CommitLane = new CommitLane({ database, statements, keys: new IdempotenceKeys('lane-cost'), claims: new ClaimsInFlight(), maxBatchSize: 64, flushLeaseMs: 60_000, resubmit: (m) => lane.submit(m), purgeAfter: () => null, committed: () => undefined });

let next = 0;
async function loop(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const member = new GroupMember(database.id, `m${i}`, statements);
    const status = member.join({ messageId: `m${next++}`, messageType: 'bench.Order' } as TransportMessage);
    lane.submit(member);
    if ((await status) !== ProcessingStatus.Assigned) throw new Error('every member is new');
    member.handled = true;
    await member.commit();
  }
}

await Promise.all(Array.from({ length: LOOPS }, () => loop(Math.ceil(MEMBERS / LOOPS / 4)))); // warm-up
const from = process.cpuUsage();
await Promise.all(Array.from({ length: LOOPS }, () => loop(Math.ceil(MEMBERS / LOOPS))));
const used = process.cpuUsage(from);
process.stdout.write(`commit lane: ${((used.user + used.system) / MEMBERS).toFixed(2)} µs of CPU per member (${MEMBERS} members, ${LOOPS} in flight)\n`);
