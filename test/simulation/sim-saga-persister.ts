import { StoreError } from '../../src/errors/errors.js';
import type { IUnitOfWork } from '../../src/idempotence/unit-of-work.js';
import type { ISagaPersister, StoredSaga } from '../../src/sagas/saga-persister.js';
import type { Seams } from './sim-seams.js';
import type { SimProcessRef } from './virtual-time.js';

/**
 * Known-broken saga persistence, for the simulator to prove it finds (each changes only what the store is
 * asked, never production code):
 * - 'saga-no-version-check': update and remove are made unconditional (the expected version is whatever is
 *   stored now), so of two units of work that loaded one version the later overwrites the earlier (lost
 *   update). That needs two units of work to load one version side by side: on the memory store once its
 *   instance lock is out of the way too (its reads are made outside the unit of work). SQLite is immune:
 *   one writer at a time, and a group-commit batch gives its members the connection in turn, each seeing
 *   the writes of those before it;
 * - 'saga-insert-always': a starter's insert that finds its correlation taken stores a second instance
 *   beside it (as a table without the unique key would) and reports success: two instances, one correlation.
 *   Reachable where two starters can both find nothing: the memory store with its reads outside the unit
 *   of work (no instance lock), as above; SQLite is immune for the same reason;
 * - 'saga-timeout-after-complete': a completed instance is loaded as live, its timeouts with it (no
 *   completed check, no token check), so a timeout delivered after completion runs;
 * - 'saga-state-outside-uow': each saga write also commits on its own, apart from the message's unit of
 *   work, so a unit of work that rolls back (a fault, a crash) after the save leaves the state advanced
 *   while its message is retried. (Modelled by writing in the unit of work and, when it does not commit,
 *   writing again in a unit of work of its own: SQLite's one writer cannot commit beside an open one.)
 */
export const SAGA_BREAKS = ['saga-no-version-check', 'saga-insert-always', 'saga-timeout-after-complete', 'saga-state-outside-uow'] as const;
export type SagaBroken = (typeof SAGA_BREAKS)[number];

/** Runs a write in a unit of work of its own, committed at once (for 'saga-state-outside-uow'). */
export type OwnUnitOfWork = (write: (uow: IUnitOfWork) => Promise<boolean>) => Promise<void>;

/** What 'saga-state-outside-uow' owes: writes whose unit of work has not committed, by process. */
export class OutsideWrites {
  private readonly pending = new Map<SimProcessRef, Map<IUnitOfWork, ((uow: IUnitOfWork) => Promise<boolean>)[]>>();

  constructor(private readonly own: OwnUnitOfWork) {}

  /** Remembers `write` (done in `uow`); the first one of a unit of work hooks its commit and rollback. */
  track(process: SimProcessRef, uow: IUnitOfWork, write: (uow: IUnitOfWork) => Promise<boolean>): void {
    let byUow = this.pending.get(process);
    if (!byUow) this.pending.set(process, (byUow = new Map()));
    const writes = byUow.get(uow);
    if (writes) return void writes.push(write);
    byUow.set(uow, [write]);
    const commit = uow.commit.bind(uow);
    const rollback = uow.rollback.bind(uow);
    uow.commit = async () => {
      await commit();
      byUow.delete(uow);
    };
    uow.rollback = async () => {
      await rollback();
      await this.replay(byUow, uow);
    };
  }

  /** The process died: the writes of its open units of work had committed already. */
  async crashed(process: SimProcessRef): Promise<void> {
    const byUow = this.pending.get(process);
    if (!byUow) return;
    for (const uow of [...byUow.keys()]) await this.replay(byUow, uow);
  }

  private async replay(byUow: Map<IUnitOfWork, ((uow: IUnitOfWork) => Promise<boolean>)[]>, uow: IUnitOfWork): Promise<void> {
    const writes = byUow.get(uow);
    byUow.delete(uow);
    for (const write of writes ?? []) await this.own(write).catch(() => undefined);
  }
}

/**
 * A process's view of the saga persister: each call passes a seam before it reaches the store and one
 * after (a write's fault after means it happened in the unit of work and its caller heard an error, so
 * the unit of work rolls back), with the broken variant's change.
 */
export function simSagaPersister(
  inner: ISagaPersister,
  process: SimProcessRef,
  seams: Seams,
  broken?: SagaBroken,
  outside?: OutsideWrites,
  /**
   * Under 'saga-no-version-check' and 'saga-insert-always', where the store's reads lock the instance until
   * the unit of work ends (the memory store): a unit of work of its own to read in, so that the read holds
   * no lock. The lock is that store's other guard against a lost update and a second start (the second
   * waits for the first, then finds its instance); with it the variant would be only half broken there.
   */
  unlockedReads?: () => Promise<IUnitOfWork>,
): ISagaPersister {
  const fault = (site: string) => () => new StoreError(`simulated saga store failure at ${site}`);
  const around = async <T>(site: string, run: () => Promise<T>): Promise<T> => {
    await seams.step(process, site, fault(site));
    const result = await run();
    await seams.step(process, `${site}:done`, fault(`${site}:done`));
    return result;
  };
  let duplicates = 0;
  /** A write, done outside the unit of work too under 'saga-state-outside-uow'. */
  const write = async (uow: IUnitOfWork, run: (uow: IUnitOfWork) => Promise<boolean>): Promise<boolean> => {
    const done = await run(uow);
    if (done && broken === 'saga-state-outside-uow' && outside) outside.track(process, uow, run);
    return done;
  };
  /** A read, made outside the unit of work (holding no lock) under 'saga-no-version-check' where reads lock. */
  const read = async <T>(uow: IUnitOfWork, run: (uow: IUnitOfWork) => Promise<T>): Promise<T> => {
    if ((broken !== 'saga-no-version-check' && broken !== 'saga-insert-always') || !unlockedReads) return run(uow);
    const own = await unlockedReads();
    try {
      return await run(own);
    } finally {
      await own.rollback();
    }
  };
  const current = async (uow: IUnitOfWork, sagaType: string, instanceId: string): Promise<number | undefined> =>
    (await inner.findById(uow, sagaType, instanceId))?.version;
  const live = (saga: StoredSaga | undefined): StoredSaga | undefined =>
    broken === 'saga-timeout-after-complete' && saga?.completedAt != null ? { ...saga, completedAt: null } : saga;
  return {
    findByCorrelation: (uow, sagaType, correlationId) => around('saga-find', () => read(uow, (u) => inner.findByCorrelation(u, sagaType, correlationId))),
    findById: (uow, sagaType, instanceId) => around('saga-find-id', async () => live(await read(uow, (u) => inner.findById(u, sagaType, instanceId)))),
    insert: (uow, saga) =>
      around('saga-insert', () =>
        write(uow, async (u) => {
          if (await inner.insert(u, saga)) return true;
          if (broken !== 'saga-insert-always') return false;
          // No unique key: the racing starter's instance is stored beside the winner's.
          return inner.insert(u, { ...saga, correlationId: `${saga.correlationId}~dup${++duplicates}` });
        }),
      ),
    update: (uow, saga, expectedVersion) =>
      around('saga-update', () =>
        write(uow, async (u) => {
          const expected = broken === 'saga-no-version-check' ? ((await current(u, saga.sagaType, saga.instanceId)) ?? expectedVersion) : expectedVersion;
          return inner.update(u, saga, expected);
        }),
      ),
    remove: (uow, sagaType, instanceId, expectedVersion) =>
      around('saga-remove', () =>
        write(uow, async (u) => {
          const expected = broken === 'saga-no-version-check' ? ((await current(u, sagaType, instanceId)) ?? expectedVersion) : expectedVersion;
          return inner.remove(u, sagaType, instanceId, expected);
        }),
      ),
  };
}
