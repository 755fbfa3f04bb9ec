import { StoreError } from '../../errors/errors.js';
import { MemoryUnitOfWork } from '../../idempotence/memory/index.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { ISagaPersister, StoredSaga } from '../saga-persister.js';

/** One memory store's saga rows: by (sagaType, correlationId), and instanceId → that key. */
interface MemorySagaTable {
  readonly rows: Map<string, StoredSaga>;
  readonly byInstance: Map<string, string>;
  /** Held by an open unit of work from its first read of a key until it ends; others wait for it. */
  readonly locks: Map<string, { readonly owner: IUnitOfWork; readonly released: Promise<void>; readonly release: () => void }>;
}

/** Process-wide, as the memory idempotence store's rows are: one table per memory store (its storeId). */
const tables = new Map<string, MemorySagaTable>();

const keyOf = (sagaType: string, correlationId: string): string => `${sagaType}\u0000${correlationId}`;

function tableOf(storeId: string): MemorySagaTable {
  let table = tables.get(storeId);
  if (!table) tables.set(storeId, (table = { rows: new Map(), byInstance: new Map(), locks: new Map() }));
  return table;
}

/** The committed saga rows of a memory store (tests and tools read them; nothing here is a copy to change). */
export function memorySagaRows(storeId: string): readonly StoredSaga[] {
  return [...(tables.get(storeId)?.rows.values() ?? [])];
}

/**
 * Saga instances in memory, beside the MemoryIdempotenceStore whose units of work they join.
 *
 * Concurrency: a unit of work takes an in-process lock on the instance's (sagaType, correlationId) at its
 * first read and keeps it until it ends (commit or rollback, through MemoryTransaction.onEnd); another unit
 * of work touching that instance waits for it, as PostgreSQL's SELECT … FOR UPDATE makes it wait. So the
 * version check made at save cannot go stale before the commit: nobody else can write that key meanwhile.
 * The writes themselves are applied in the commit's synchronous step (MemoryTransaction.onCommit), so a
 * rolled-back unit of work leaves nothing. Racing starters therefore never both insert: the second waits,
 * then finds the first's instance. A lock is per instance; a unit of work handles one message, which loads
 * one instance, so no two locks are ever awaited in a cycle.
 */
export class MemorySagaPersister implements ISagaPersister {
  /** This unit of work's writes not committed yet, by key: what its own later reads and checks see. */
  private readonly pending = new WeakMap<IUnitOfWork, Map<string, StoredSaga | null>>();

  async findByCorrelation(uow: IUnitOfWork, sagaType: string, correlationId: string): Promise<StoredSaga | undefined> {
    const key = keyOf(sagaType, correlationId);
    await this.lock(uow, key);
    return this.current(uow, key);
  }

  async findById(uow: IUnitOfWork, sagaType: string, instanceId: string): Promise<StoredSaga | undefined> {
    const table = tableOf(this.own(uow).storeId);
    const key = table.byInstance.get(instanceId);
    if (key === undefined) return undefined;
    await this.lock(uow, key);
    // Read again under the lock: the instance may have completed while this unit of work waited.
    const row = this.current(uow, key);
    return row?.instanceId === instanceId && row.sagaType === sagaType ? row : undefined;
  }

  async insert(uow: IUnitOfWork, saga: StoredSaga): Promise<boolean> {
    const key = keyOf(saga.sagaType, saga.correlationId);
    await this.lock(uow, key);
    const table = tableOf(uow.storeId);
    if (this.current(uow, key) !== undefined) return false;
    const taken = table.byInstance.get(saga.instanceId);
    if (taken !== undefined && taken !== key) return false;
    this.write(uow, key, { ...saga, version: 1 });
    return true;
  }

  async update(uow: IUnitOfWork, saga: StoredSaga, expectedVersion: number): Promise<boolean> {
    const key = keyOf(saga.sagaType, saga.correlationId);
    await this.lock(uow, key);
    const row = this.current(uow, key);
    if (row?.instanceId !== saga.instanceId || row.version !== expectedVersion) return false;
    this.write(uow, key, { ...saga, version: expectedVersion + 1, createdAt: row.createdAt });
    return true;
  }

  async remove(uow: IUnitOfWork, sagaType: string, instanceId: string, expectedVersion: number): Promise<boolean> {
    const key = tableOf(this.own(uow).storeId).byInstance.get(instanceId) ?? this.pendingKeyOf(uow, instanceId);
    if (key === undefined) return false;
    await this.lock(uow, key);
    const row = this.current(uow, key);
    if (row?.instanceId !== instanceId || row.sagaType !== sagaType || row.version !== expectedVersion) return false;
    this.write(uow, key, null);
    return true;
  }

  async purgeCompleted(uow: IUnitOfWork, sagaType: string, completedBefore: number, limit: number): Promise<number> {
    const table = tableOf(this.own(uow).storeId);
    let purged = 0;
    for (const [key, row] of [...table.rows]) {
      if (purged >= limit) break;
      if (row.sagaType !== sagaType || row.completedAt === null || row.completedAt >= completedBefore) continue;
      // A row another unit of work holds is its to remove (as SKIP LOCKED leaves it on PostgreSQL).
      const held = table.locks.get(key);
      if (held && held.owner !== uow) continue;
      await this.lock(uow, key);
      const current = this.current(uow, key);
      if (current?.completedAt == null || current.completedAt >= completedBefore) continue;
      this.write(uow, key, null);
      purged++;
    }
    return purged;
  }

  /** The row as this unit of work sees it: its own pending write, else the committed one. */
  private current(uow: IUnitOfWork, key: string): StoredSaga | undefined {
    const mine = this.pending.get(uow);
    if (mine?.has(key)) return mine.get(key) ?? undefined;
    return tableOf(uow.storeId).rows.get(key);
  }

  private pendingKeyOf(uow: IUnitOfWork, instanceId: string): string | undefined {
    for (const [key, row] of this.pending.get(uow) ?? []) if (row?.instanceId === instanceId) return key;
    return undefined;
  }

  /** Records the write for this unit of work; the first one for a key registers its apply at commit. */
  private write(uow: IUnitOfWork, key: string, row: StoredSaga | null): void {
    let mine = this.pending.get(uow);
    if (!mine) this.pending.set(uow, (mine = new Map()));
    const first = !mine.has(key);
    mine.set(key, row);
    if (!first) return;
    const table = tableOf(uow.storeId);
    this.own(uow).transaction.onCommit(() => {
      const final = mine.get(key);
      const before = table.rows.get(key);
      if (before) table.byInstance.delete(before.instanceId);
      if (final) {
        table.rows.set(key, final);
        table.byInstance.set(final.instanceId, key);
      } else table.rows.delete(key);
    });
  }

  /** Waits while another open unit of work holds `key`, then holds it until this one ends. */
  private async lock(uow: IUnitOfWork, key: string): Promise<void> {
    const memory = this.own(uow);
    const table = tableOf(memory.storeId);
    for (;;) {
      const held = table.locks.get(key);
      if (!held) break;
      if (held.owner === uow) return;
      await held.released;
    }
    if (memory.ended) throw new StoreError('the unit of work ended while it waited for a saga instance');
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    table.locks.set(key, { owner: uow, released, release });
    memory.transaction.onEnd(() => {
      if (table.locks.get(key)?.owner === uow) table.locks.delete(key);
      release();
    });
  }

  private own(uow: IUnitOfWork): MemoryUnitOfWork {
    if (!(uow instanceof MemoryUnitOfWork)) throw new StoreError('the memory saga persister needs a unit of work of the memory idempotence store');
    return uow;
  }
}
