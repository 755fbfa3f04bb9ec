import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import { OncebusError } from '../../src/errors/errors.js';
import { type IIdempotenceService, ProcessingStatus } from '../../src/idempotence/idempotence-service.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import type { IUnitOfWork } from '../../src/idempotence/unit-of-work.js';
import type { ISagaPersister, StoredSaga } from '../../src/sagas/saga-persister.js';
import { requireService } from '../support/integration.js';

/**
 * The saga persister contract (ISagaPersister), written once; every store that keeps sagas must pass it.
 * Units of work are opened as the bus opens them: the store's idempotence service begins one and claims a
 * message in it (so a group-commit member has its turn on the shared transaction).
 */
export interface SagaPersisterSubject {
  available?(): Promise<boolean>;
  /** Skip instead of requiring the service (SQL Server without a connection string). */
  skipReason?: string;
  persister(): ISagaPersister;
  open(): Promise<OpenedSagaStore>;
  /**
   * Whether a load waits for another unit of work that loaded (or wrote) the instance to end, then reads
   * what it saved: PostgreSQL (FOR UPDATE) and SQLite (one writer at a time); not SQL Server.
   */
  readonly loadWaits: boolean;
}

export interface OpenedSagaStore {
  readonly factory: IIdempotenceServiceFactory;
  /** The same store with group commit on, where the store can group-commit. */
  readonly groupCommit?: IIdempotenceServiceFactory;
  /** What the units of work's records answer: the dialect and the store's qualified sagas table. */
  readonly dialect: 'sqlite' | 'postgres' | 'mssql';
  readonly sagasTable: string;
  /** Whether a row is committed, read outside every unit of work. */
  committed(sagaType: string, correlationId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Whether a promise is still unsettled after `ms` (the window in which it must be waiting). */
async function stillPending(p: Promise<unknown>, ms = 200): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return !settled;
}

function message(): TransportMessage {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = 'contract.SagaStep';
  return tm;
}

/** A unit of work as the inbox pipeline has it: begun, its message claimed. */
interface Work {
  readonly uow: IUnitOfWork;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

async function claimed(svc: IIdempotenceService, uow: IUnitOfWork, tm: TransportMessage, status: Promise<ProcessingStatus>): Promise<Work> {
  expect(await status).to.equal(ProcessingStatus.Assigned);
  return {
    uow,
    commit: async () => {
      await svc.messageHandled(tm, uow);
      await uow.commit();
    },
    rollback: () => uow.rollback(),
  };
}

async function begin(svc: IIdempotenceService): Promise<Work> {
  const uow = await svc.beginUnitOfWork();
  const tm = message();
  return claimed(svc, uow, tm, svc.processingStatus(tm, uow));
}

/** Bytes of every value, and more than one page of them (bytea / BLOB / varbinary(max)). */
function bytes(seed: number, length = 70_000): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 256);
}

function saga(over: Partial<StoredSaga> = {}): StoredSaga {
  const now = Date.now();
  return {
    sagaType: `contract.Order_${randomUUID().slice(0, 8)}`,
    correlationId: `order-${randomUUID()}`,
    instanceId: randomUUID(),
    state: bytes(1),
    version: 1,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
    ...over,
  };
}

const isMisuse = (error: unknown): boolean => OncebusError.is(error) && error.code === 'ONCEBUS_TRANSACTION_MISUSE';

export function describeSagaPersisterContract(label: string, subject: SagaPersisterSubject): void {
  describe(`saga persister contract: ${label}`, function () {
    let store: OpenedSagaStore;
    const services: IIdempotenceService[] = [];
    const persister = subject.persister();

    before(async function () {
      if (subject.skipReason) {
        console.log(`      skipped: ${subject.skipReason}`);
        this.skip();
      }
      if (subject.available) requireService(this, label, await subject.available());
      store = await subject.open();
    });
    // Each service reserves pool connections while started: stopped after every test.
    afterEach(async () => {
      for (const s of services.splice(0)) await s.stop?.();
    });
    after(async () => {
      await store?.close();
    });

    async function service(factory = store.factory): Promise<IIdempotenceService> {
      const s = factory.create(`memory://sagas-${randomUUID().slice(0, 8)}`);
      await s.start?.();
      services.push(s);
      return s;
    }

    /** Stores `s` in a unit of work of its own, committed. */
    async function stored(svc: IIdempotenceService, s: StoredSaga): Promise<void> {
      const w = await begin(svc);
      expect(await persister.insert(w.uow, s)).to.equal(true);
      await w.commit();
    }

    async function read(svc: IIdempotenceService, s: StoredSaga): Promise<{ byCorrelation?: StoredSaga; byId?: StoredSaga }> {
      const w = await begin(svc);
      try {
        return { byCorrelation: await persister.findByCorrelation(w.uow, s.sagaType, s.correlationId), byId: await persister.findById(w.uow, s.sagaType, s.instanceId) };
      } finally {
        await w.commit();
      }
    }

    it("offers the saga rows on the unit of work's records: the store's dialect and its own sagas table", async () => {
      const w = await begin(await service());
      expect(w.uow.records?.dialect).to.equal(store.dialect);
      expect(w.uow.records?.table('sagas')).to.equal(store.sagasTable);
      await w.commit();
    });

    it('inserts at version 1, finds by correlation and by id (bytes and epoch-ms times as they went in), updates, then removes', async () => {
      const svc = await service();
      const s = saga({ createdAt: 1_732_000_000_123, updatedAt: 1_732_000_000_456 });
      const w = await begin(svc);
      expect(await persister.insert(w.uow, s)).to.equal(true);
      expect(await persister.findByCorrelation(w.uow, s.sagaType, s.correlationId), 'its own write, before commit').to.deep.equal(s);
      await w.commit();

      const found = await read(svc, s);
      expect(found.byCorrelation).to.deep.equal(s);
      expect(found.byId).to.deep.equal(s);
      expect(found.byId!.state).to.be.instanceOf(Uint8Array);
      expect(typeof found.byId!.createdAt).to.equal('number');

      const w2 = await begin(svc);
      const next = { ...s, state: bytes(2, 10), updatedAt: s.updatedAt + 1000, completedAt: s.updatedAt + 1000 };
      expect(await persister.update(w2.uow, next, 1)).to.equal(true);
      await w2.commit();
      expect((await read(svc, s)).byId).to.deep.equal({ ...next, version: 2 });

      const w3 = await begin(svc);
      expect(await persister.remove(w3.uow, s.sagaType, s.instanceId, 2)).to.equal(true);
      expect(await persister.findById(w3.uow, s.sagaType, s.instanceId)).to.equal(undefined);
      await w3.commit();
      expect(await read(svc, s)).to.deep.equal({ byCorrelation: undefined, byId: undefined });
    });

    it('keeps instances apart by saga type: one correlation value is new to each type, and an id is found only under its type', async () => {
      const svc = await service();
      const a = saga();
      const b = saga({ correlationId: a.correlationId });
      await stored(svc, a);
      await stored(svc, b);
      const w = await begin(svc);
      expect((await persister.findByCorrelation(w.uow, a.sagaType, a.correlationId))?.instanceId).to.equal(a.instanceId);
      expect((await persister.findByCorrelation(w.uow, b.sagaType, a.correlationId))?.instanceId).to.equal(b.instanceId);
      expect(await persister.findById(w.uow, b.sagaType, a.instanceId)).to.equal(undefined);
      await w.commit();
    });

    it('answers false to an insert of an existing (type, correlation), committed or in the same unit of work, and the unit of work still commits', async () => {
      const svc = await service();
      const s = saga();
      await stored(svc, s);
      const w = await begin(svc);
      expect(await persister.insert(w.uow, { ...s, instanceId: randomUUID() })).to.equal(false);
      const other = saga();
      expect(await persister.insert(w.uow, other)).to.equal(true);
      expect(await persister.insert(w.uow, { ...other, instanceId: randomUUID(), state: bytes(9, 5) })).to.equal(false);
      await w.commit();
      expect((await read(svc, s)).byCorrelation).to.deep.equal(s);
      expect((await read(svc, other)).byCorrelation).to.deep.equal(other);
    });

    it('answers false to an update or remove from a version that is no longer the stored one, and changes nothing', async () => {
      const svc = await service();
      const s = saga();
      await stored(svc, s);
      const w = await begin(svc);
      expect(await persister.update(w.uow, { ...s, state: bytes(5, 3) }, 2)).to.equal(false);
      expect(await persister.update(w.uow, { ...s, state: bytes(5, 3) }, 0)).to.equal(false);
      expect(await persister.remove(w.uow, s.sagaType, s.instanceId, 2)).to.equal(false);
      expect(await persister.update(w.uow, { ...s, sagaType: `${s.sagaType}_other` }, 1), 'another type, same id').to.equal(false);
      await w.commit();
      expect((await read(svc, s)).byId).to.deep.equal(s);
    });

    it('leaves nothing behind when the unit of work rolls back: the insert, update and remove are undone', async () => {
      const svc = await service();
      const gone = saga();
      const kept = saga();
      await stored(svc, kept);
      const w = await begin(svc);
      expect(await persister.insert(w.uow, gone)).to.equal(true);
      expect(await persister.update(w.uow, { ...kept, state: bytes(7, 4) }, 1)).to.equal(true);
      await w.rollback();
      expect(await read(svc, gone)).to.deep.equal({ byCorrelation: undefined, byId: undefined });
      expect((await read(svc, kept)).byId).to.deep.equal(kept);

      const w2 = await begin(svc);
      expect(await persister.remove(w2.uow, kept.sagaType, kept.instanceId, 1)).to.equal(true);
      await w2.rollback();
      expect((await read(svc, kept)).byId).to.deep.equal(kept);
      const again = await begin(svc);
      expect(await persister.insert(again.uow, gone), 'the rolled-back correlation is free').to.equal(true);
      await again.commit();
    });

    it('makes a second unit of work updating the instance wait for the first to commit, then answer false (its version is stale)', async () => {
      const svc = await service();
      const s = saga();
      await stored(svc, s);
      const first = await begin(svc);
      expect(await persister.findByCorrelation(first.uow, s.sagaType, s.correlationId)).to.deep.include({ version: 1 });
      expect(await persister.update(first.uow, { ...s, state: bytes(3, 3) }, 1)).to.equal(true);
      const second = (async () => {
        const w = await begin(svc);
        try {
          return await persister.update(w.uow, { ...s, state: bytes(4, 4) }, 1);
        } finally {
          await w.commit();
        }
      })();
      expect(await stillPending(second), 'the second waits for the first').to.equal(true);
      await first.commit();
      expect(await second).to.equal(false);
      expect((await read(svc, s)).byId).to.deep.equal({ ...s, state: bytes(3, 3), version: 2 });
    });

    if (subject.loadWaits) {
      it('makes a second unit of work loading the instance wait for the first one that loaded it, then read what the first saved', async () => {
        const svc = await service();
        const s = saga();
        await stored(svc, s);
        const first = await begin(svc);
        expect(await persister.findByCorrelation(first.uow, s.sagaType, s.correlationId)).to.deep.include({ version: 1 });
        const second = (async () => {
          const w = await begin(svc);
          try {
            return await persister.findByCorrelation(w.uow, s.sagaType, s.correlationId);
          } finally {
            await w.commit();
          }
        })();
        expect(await stillPending(second), 'the load waits').to.equal(true);
        expect(await persister.update(first.uow, { ...s, state: bytes(6, 6) }, 1)).to.equal(true);
        await first.commit();
        expect(await second).to.deep.equal({ ...s, state: bytes(6, 6), version: 2 });
      });
    }

    it('lets exactly one of two concurrent inserts of one correlation win: the other waits for it, then answers false', async () => {
      const svc = await service();
      const s = saga();
      const first = await begin(svc);
      expect(await persister.insert(first.uow, s)).to.equal(true);
      const second = (async () => {
        const w = await begin(svc);
        try {
          return await persister.insert(w.uow, { ...s, instanceId: randomUUID() });
        } finally {
          await w.commit();
        }
      })();
      expect(await stillPending(second), 'the second insert waits').to.equal(true);
      await first.commit();
      expect(await second).to.equal(false);
      expect((await read(svc, s)).byCorrelation).to.deep.equal(s);
    });

    it('lets the second of two concurrent inserts win when the first rolls back', async () => {
      const svc = await service();
      const s = saga();
      const loser = { ...s, instanceId: randomUUID() };
      const first = await begin(svc);
      expect(await persister.insert(first.uow, loser)).to.equal(true);
      const second = (async () => {
        const w = await begin(svc);
        try {
          return await persister.insert(w.uow, s);
        } finally {
          await w.commit();
        }
      })();
      expect(await stillPending(second)).to.equal(true);
      await first.rollback();
      expect(await second).to.equal(true);
      expect((await read(svc, s)).byCorrelation).to.deep.equal(s);
    });

    it('refuses every use once the unit of work has ended (committed or rolled back)', async () => {
      const svc = await service();
      const s = saga();
      for (const end of ['commit', 'rollback'] as const) {
        const w = await begin(svc);
        const records = w.uow.records!;
        await w[end]();
        const refused = [
          await persister.findById(w.uow, s.sagaType, s.instanceId).then(() => null, (e: unknown) => e),
          await persister.insert(w.uow, s).then(() => null, (e: unknown) => e),
          await records.execute(`DELETE FROM ${records.table('sagas')}`).then(() => null, (e: unknown) => e),
        ];
        for (const error of refused) expect(isMisuse(error), `${end}: ${String(error)}`).to.equal(true);
      }
      expect(await store.committed(s.sagaType, s.correlationId)).to.equal(false);
    });

    describe('group commit', function () {
      before(function () {
        if (!store?.groupCommit) this.skip();
      });

      /** Two members claimed together: they share one batch, taking turns on its transaction. */
      async function pair(svc: IIdempotenceService): Promise<[Work, Promise<Work>]> {
        const [ua, ub] = [await svc.beginUnitOfWork(), await svc.beginUnitOfWork()];
        const [ta, tb] = [message(), message()];
        const sa = svc.processingStatus(ta, ua);
        const sb = svc.processingStatus(tb, ub);
        return [await claimed(svc, ua, ta, sa), claimed(svc, ub, tb, sb)];
      }

      it("commits a member's saga writes with its batch, and rolls back a failed member's with its savepoint alone", async () => {
        const svc = await service(store.groupCommit);
        const kept = saga();
        const undone = saga();
        const [a, nextB] = await pair(svc);
        expect(await persister.insert(a.uow, kept)).to.equal(true);
        const committing = a.commit();
        const b = await nextB;
        expect(await stillPending(committing), "a's commit waits for its batch").to.equal(true);
        expect(await store.committed(kept.sagaType, kept.correlationId), 'not committed before its batch').to.equal(false);
        expect(await persister.findByCorrelation(b.uow, kept.sagaType, kept.correlationId), 'b shares the transaction').to.deep.equal(kept);
        expect(await persister.insert(b.uow, undone)).to.equal(true);
        expect(await persister.update(b.uow, { ...kept, state: bytes(8, 8) }, 1)).to.equal(true);
        await b.rollback(); // b's handler failed
        await committing;
        expect(await store.committed(kept.sagaType, kept.correlationId)).to.equal(true);
        expect(await store.committed(undone.sagaType, undone.correlationId)).to.equal(false);
        const plain = await service();
        expect((await read(plain, kept)).byId, "b's update went with its savepoint").to.deep.equal(kept);
      });

      it('separates two members of one batch updating one instance by its version: the second answers false', async () => {
        const svc = await service(store.groupCommit);
        const s = saga();
        await stored(await service(), s);
        const [a, nextB] = await pair(svc);
        expect(await persister.findById(a.uow, s.sagaType, s.instanceId)).to.deep.include({ version: 1 });
        expect(await persister.update(a.uow, { ...s, state: bytes(10, 10) }, 1)).to.equal(true);
        const committing = a.commit();
        const b = await nextB;
        expect(await persister.update(b.uow, { ...s, state: bytes(11, 11) }, 1)).to.equal(false);
        await b.rollback();
        await committing;
        expect((await read(await service(), s)).byId).to.deep.equal({ ...s, state: bytes(10, 10), version: 2 });
      });

      it("refuses a member's records once its turn has ended", async () => {
        const svc = await service(store.groupCommit);
        const w = await begin(svc);
        const records = w.uow.records!;
        await w.commit();
        const error = await records.query(`SELECT 1 AS one FROM ${records.table('sagas')}`).then(() => null, (e: unknown) => e);
        expect(isMisuse(error), String(error)).to.equal(true);
      });
    });
  });
}
