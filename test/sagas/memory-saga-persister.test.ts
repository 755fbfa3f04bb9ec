import { expect } from 'chai';
import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import { MemorySagaPersister, memorySagaRows } from '../../src/sagas/persistence/memory-saga-persister.js';
import type { StoredSaga } from '../../src/sagas/saga-persister.js';

const row = (correlationId: string, instanceId: string, version = 1): StoredSaga => ({
  sagaType: 'T',
  correlationId,
  instanceId,
  state: new Uint8Array([version]),
  version,
  createdAt: 1,
  updatedAt: 1,
  completedAt: null,
});

describe('MemorySagaPersister', () => {
  const store = new MemoryIdempotenceStore();
  const service = store.create('memory://persister-test');
  const persister = new MemorySagaPersister();
  const rows = () => memorySagaRows(store.storeId);

  it('applies writes at commit only, and nothing of a rolled-back unit of work', async () => {
    const rolledBack = await service.beginUnitOfWork();
    expect(await persister.insert(rolledBack, row('a', 'id-a'))).to.equal(true);
    expect(rows()).to.deep.equal([]);
    await rolledBack.rollback();
    expect(rows()).to.deep.equal([]);

    const committed = await service.beginUnitOfWork();
    expect(await persister.insert(committed, row('a', 'id-a'))).to.equal(true);
    await committed.commit();
    expect(rows().map((r) => r.instanceId)).to.deep.equal(['id-a']);
  });

  it('refuses an insert of an existing correlation value and a write at a stale version', async () => {
    const uow = await service.beginUnitOfWork();
    expect(await persister.insert(uow, row('a', 'id-other'))).to.equal(false);
    expect(await persister.update(uow, row('a', 'id-a', 2), 7)).to.equal(false);
    expect(await persister.remove(uow, 'T', 'id-a', 7)).to.equal(false);
    expect(await persister.update(uow, row('a', 'id-a', 2), 1)).to.equal(true);
    await uow.commit();
    expect((await findCommitted('a'))?.version).to.equal(2);
  });

  it('a second unit of work on one instance waits until the first ends, then sees its commit', async () => {
    const first = await service.beginUnitOfWork();
    const loaded = await persister.findByCorrelation(first, 'T', 'a');
    const second = await service.beginUnitOfWork();
    let secondSaw: StoredSaga | undefined | null = null;
    const waiting = persister.findById(second, 'T', 'id-a').then((r) => (secondSaw = r));
    await new Promise((r) => setTimeout(r, 10));
    expect(secondSaw).to.equal(null);
    expect(await persister.update(first, row('a', 'id-a', loaded!.version + 1), loaded!.version)).to.equal(true);
    await first.commit();
    await waiting;
    expect(secondSaw!.version).to.equal(3);
    expect(await persister.remove(second, 'T', 'id-a', 3)).to.equal(true);
    await second.commit();
    expect(rows()).to.deep.equal([]);
  });

  it('a racing insert waits for the first starter and is refused once it committed', async () => {
    const first = await service.beginUnitOfWork();
    expect(await persister.findByCorrelation(first, 'T', 'b')).to.equal(undefined);
    const second = await service.beginUnitOfWork();
    const racing = persister.findByCorrelation(second, 'T', 'b');
    expect(await persister.insert(first, row('b', 'id-b1'))).to.equal(true);
    await first.commit();
    expect((await racing)?.instanceId).to.equal('id-b1');
    expect(await persister.insert(second, row('b', 'id-b2'))).to.equal(false);
    await second.rollback();
  });

  async function findCommitted(correlationId: string): Promise<StoredSaga | undefined> {
    const uow = await service.beginUnitOfWork();
    try {
      return await persister.findByCorrelation(uow, 'T', correlationId);
    } finally {
      await uow.rollback();
    }
  }
});
