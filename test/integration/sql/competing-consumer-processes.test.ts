import { expect } from 'chai';
import { CrashWorld, receiveFollowupsIdempotently } from '../../support/crash-world.js';
import { requireService } from '../../support/integration.js';
import { postgresAvailable } from '../../support/sql-subjects.js';

const DISTINCT = 30;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`competing consumers on ${kind}: two processes on one queue and one store never run a handler twice`, function () {
    this.timeout(60_000);

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
    });

    it('handles every message once although a third of them arrive two or three times, copies side by side', async () => {
      const world = await CrashWorld.create(kind);
      try {
        const a = world.spawn(undefined, 4);
        const b = world.spawn(undefined, 4);
        await Promise.all([a.ready, b.ready]);
        const originals = Array.from({ length: DISTINCT }, (_, n) => world.workItem(n));
        // Copies of one message next to each other, so the two processes take them at the same moment.
        for (const [i, tm] of originals.entries()) {
          const copies = i % 3 === 0 ? (i % 2 === 0 ? 3 : 2) : 1;
          for (let c = 0; c < copies; c++) await world.enqueueCopy(tm);
        }
        await world.workDone();
        await Promise.all([a.stop(), b.stop()]);

        const rows = await world.businessRows();
        expect(rows).to.have.length(DISTINCT);
        expect(new Set(rows.map((r) => r.message_id)).size).to.equal(DISTINCT);
        // SQLite has one writer, which a process keeps for a turn (0.5 s, WriteTurns): in a run this short one
        // process may take all the work there; the cross-process claim itself is pinned down by
        // claim-across-processes.test.ts, the turns by sqlite-fairness-across-processes.test.ts.
        if (kind === 'postgres') expect(new Set(rows.map((r) => r.pid)).size, 'both processes took part').to.equal(2);
        const { handled } = await receiveFollowupsIdempotently(world);
        expect(handled).to.have.length(DISTINCT * 2);
      } finally {
        await world.dispose();
      }
    });
  });
}
