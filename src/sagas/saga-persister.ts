import type { IUnitOfWork } from '../idempotence/unit-of-work.js';

/**
 * One saga instance as a store keeps it: the serialized state (the data and the saga's own bookkeeping,
 * such as its current timeout tokens) under a version that every save advances by one.
 * Unique per (sagaType, correlationId) and per instanceId.
 */
export interface StoredSaga {
  readonly sagaType: string;
  readonly correlationId: string;
  readonly instanceId: string;
  readonly state: Uint8Array;
  readonly version: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /**
   * Set when the instance completed and the saga keeps completed instances for a while (`keepCompletedFor`,
   * for audit): such a row answers no message any more and is purged once older than that.
   */
  readonly completedAt: number | null;
}

/**
 * Reads and writes saga instances **inside a message's unit of work**, so a saga's state change commits
 * with the handler's own writes, its stored sends and the idempotence record, or not at all.
 * Every write is conditional: `insert` refuses a (sagaType, correlationId) that exists (a racing start
 * won: load it and go on), `update` and `remove` refuse a version that is no longer the stored one
 * (another unit of work advanced the instance: the caller rolls back and the message is retried).
 */
export interface ISagaPersister {
  /**
   * By correlation; where the dialect can, the row is locked for this unit of work (PostgreSQL FOR UPDATE).
   * `starting`: the message may start the instance, so it most likely finds none: a persister that must
   * wait for a racing starter when it finds none (PostgreSQL's advisory lock) may wait first and read once.
   */
  findByCorrelation(uow: IUnitOfWork, sagaType: string, correlationId: string, starting?: boolean): Promise<StoredSaga | undefined>;
  /** By instance id (a timeout finds its instance this way). */
  findById(uow: IUnitOfWork, sagaType: string, instanceId: string): Promise<StoredSaga | undefined>;
  /** Stores a new instance at version 1; false when its (sagaType, correlationId) exists already. */
  insert(uow: IUnitOfWork, saga: StoredSaga): Promise<boolean>;
  /** Stores `saga` (version = expectedVersion + 1) if the stored version is still `expectedVersion`. */
  update(uow: IUnitOfWork, saga: StoredSaga, expectedVersion: number): Promise<boolean>;
  /** Deletes the instance (it completed) if the stored version is still `expectedVersion`. */
  remove(uow: IUnitOfWork, sagaType: string, instanceId: string, expectedVersion: number): Promise<boolean>;
  /**
   * Deletes at most `limit` kept completed instances of `sagaType` whose completedAt is before
   * `completedBefore` (epoch ms), skipping any a unit of work holds; resolves to how many it deleted.
   * Run by SagaModule's purge in a short unit of work of its own, outside any message. Optional: a persister
   * without it keeps completed instances until a later message for their correlation value removes them.
   */
  purgeCompleted?(uow: IUnitOfWork, sagaType: string, completedBefore: number, limit: number): Promise<number>;
}
