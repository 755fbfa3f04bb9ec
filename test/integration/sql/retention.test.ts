import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import type { IIdempotenceService } from '../../../src/idempotence/idempotence-service.js';
import type { PostgresStore } from '../../../src/stores/postgres/index.js';
import type { SqliteStore } from '../../../src/stores/sqlite/index.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

type Store = (PostgresStore | SqliteStore) & { dispose(): Promise<void> };

async function complete(svc: IIdempotenceService, type: string, status: 'handled' | 'completed' = 'completed'): Promise<string> {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = type;
  const uow = await svc.beginUnitOfWork();
  await svc.processingStatus(tm, uow);
  await svc.messageHandled(tm, uow);
  await uow.commit();
  if (status === 'completed') await svc.processingCompleted(tm);
  return tm.messageId;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`retention on ${kind}: only completed rows go, after their window, in bounded batches`, function () {
    this.timeout(60_000);
    let store: Store;
    const table = () => (kind === 'postgres' ? `${(store as PostgresStore).schema}.idempotence` : 'oncebus_idempotence');
    const ids = async () => (await store.database.query<{ message_id: string }>(`SELECT message_id FROM ${table()}`)).map((r) => r.message_id);

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      store = kind === 'postgres' ? openPostgresStore() : openSqliteStore();
    });
    after(() => store?.dispose());

    it('removes a completed row after its type’s window, keeps longer-window types, and never a handled row', async () => {
      const idem = store.idempotence({ windowMs: 1000, byType: { 'keep.Long': 60_000 } });
      const svc = idem.create(`memory://ret-${kind}`);
      await svc.start?.();
      const short = await complete(svc, 'any.Short');
      const long = await complete(svc, 'keep.Long');
      const handled = await complete(svc, 'any.Short', 'handled');
      const now = Date.now();
      expect(await idem.purgeNow(now + 5000)).to.equal(1);
      expect(await ids()).to.have.members([long, handled]);
      expect(await idem.purgeNow(now + 120_000)).to.equal(1);
      expect(await ids()).to.deep.equal([handled]);
      expect(await idem.purgeNow(now + 10 * 365 * 86_400_000), 'a handled row still owes its sends').to.equal(0);
      await svc.stop?.();
      void short;
    });

    it('stops a running pass after its current batch, leaving the rest for the next start', async () => {
      const idem = store.idempotence({ windowMs: 0, batchSize: 1 });
      const svc = idem.create(`memory://ret-stop-${kind}`);
      await svc.start?.();
      const before = (await ids()).length;
      for (let i = 0; i < 30; i++) await complete(svc, 'stop.T');
      const pass = idem.purgeNow(Date.now() + 1);
      await svc.stop?.();
      const purged = await pass;
      expect(purged, 'the pass ended early').to.be.greaterThan(0).and.lessThan(30);
      expect((await ids()).length).to.equal(before + 30 - purged);
      expect(await idem.purgeNow(Date.now() + 1), 'a later pass deletes the rest').to.equal(30 - purged);
    });

    it('purges many rows in batches of batchSize, all of them in one pass', async () => {
      const idem = store.idempotence({ windowMs: 0, batchSize: 7 });
      const svc = idem.create(`memory://ret-batch-${kind}`);
      await svc.start?.();
      for (let i = 0; i < 20; i++) await complete(svc, 'batch.T');
      expect(await idem.purgeNow(Date.now() + 1)).to.equal(20);
      expect((await ids()).length).to.equal(1); // the handled row of the previous test
      await svc.stop?.();
    });
  });
}
