import { expect } from 'chai';
import { CrashWorld, receiveFollowupsIdempotently } from '../../support/crash-world.js';
import { requireService } from '../../support/integration.js';
import { postgresAvailable } from '../../support/sql-subjects.js';

/** The named points of the crash windows (before the commit, between commit and flush, mid-flush, before the ack), as fault specs (pipeline:event:kill). */
const FAULT_POINTS: [string, string, number][] = [
  // [where, fault spec, follow-ups sent twice (same messageId) by the recovery]
  ['during the handler (before commit)', 'inbox:onHandleMessage:kill', 0],
  ['after commit, before the flush', 'inbox:onAfterCommitUnitOfWork:kill', 0],
  ['after a flushed send, before it was deleted', 'flush:onAfterDispatchDeferredMessage:kill', 1],
  ['between two flushed sends', 'flush:onAfterDeferredMessageSent:kill', 0],
  ['after completion, before the acknowledge', 'inbox:onProcessingCompleted:kill', 0],
];
/** A batch-taking queue commits its acknowledgements when the batch's last message is settled. */
const BATCH_FAULT_POINTS: [string, string, number][] = [['after two acknowledgements, before their batch committed', 'inbox:onAcknowledgeMessage:kill:2', 0]];

const MESSAGES = 3;

for (const [kind, groupCommit, batch] of [
  ['sqlite', false, undefined],
  ['sqlite', false, 8],
  ['sqlite', true, undefined],
  ['sqlite', true, 8],
  ['postgres', false, undefined],
  ['postgres', true, undefined],
  ['postgres', true, 8],
] as const) {
  const how = `${groupCommit ? ' with group commit' : ''}${batch ? `, the queue taken ${batch} rows at a time` : ''}`;
  describe(`crash safety on ${kind}${how}: SIGKILL an endpoint at each fault point, restart it, and nothing is lost or doubled`, function () {
    this.timeout(60_000);

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
    });

    for (const [where, fault, resent] of batch ? [...FAULT_POINTS, ...BATCH_FAULT_POINTS] : FAULT_POINTS) {
      it(`killed ${where}`, async () => {
        const world = await CrashWorld.create(kind, { groupCommit, batch });
        try {
          const sent = await world.enqueueWork(MESSAGES);
          const doomed = world.spawn(fault, 1);
          const { signal } = await doomed.exited;
          expect(signal, 'the child died at the fault point').to.equal('SIGKILL');

          const survivor = world.spawn();
          await survivor.ready;
          await world.workDone();
          await survivor.stop();

          const rows = await world.businessRows();
          expect(rows.map((r) => r.message_id).sort(), 'each business effect exactly once').to.deep.equal(sent.map((m) => m.messageId).sort());

          const { handled, skipped } = await receiveFollowupsIdempotently(world);
          expect(handled, 'every follow-up handled once by an idempotent receiver').to.have.length(MESSAGES * 2);
          expect(new Set(handled.map((f) => f.messageId)).size).to.equal(MESSAGES * 2);
          for (const m of sent) {
            const parts = handled.filter((f) => f.messageReceivedId === m.messageId).map((f) => JSON.parse(Buffer.from(f.message).toString()).part);
            expect(parts.sort(), `follow-ups of ${m.messageId}`).to.deep.equal(['a', 'b']);
          }
          // A follow-up re-sent by the recovery kept its messageId, so the receiver skipped it.
          expect(skipped, 're-sent follow-ups dropped by the receiver').to.equal(resent);
          expect(await world.count(world.work)).to.equal(0);
        } finally {
          await world.dispose();
        }
      });
    }
  });
}
