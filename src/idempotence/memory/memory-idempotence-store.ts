import { randomUUID } from 'node:crypto';
import { StoreError } from '../../errors/errors.js';
import type { DeferredMessage } from '../idempotence-service.js';
import type { IIdempotenceServiceFactory } from '../idempotence-service-factory.js';
import { MemoryIdempotenceService } from './memory-idempotence-service.js';
import type { MemoryUnitOfWork } from './memory-unit-of-work.js';

export type RowStatus = 'handled' | 'completed';

/** A committed row for (inbox, messageId). */
export interface MemoryRow {
  status: RowStatus;
  messageType: string;
  /** Stored sends not dispatched yet, one per recipient, in send order. */
  deferred: DeferredMessage[];
  completedAt: number;
  /** When its work committed (epoch ms): how old an owed send is. */
  claimedAt: number;
  /** The copy flushing this 'handled' row, and until when (see flush-lease.ts). */
  flushOwner: string | null;
  flushUntil: number;
}

/**
 * The in-memory idempotence store, shared by the endpoints of one process (tests, the demo). It follows
 * the contract exactly: a claim is held by an open unit of work and a concurrent copy waits for that unit
 * of work to end; only committed rows are seen by others. Nothing survives the process.
 */
export class MemoryIdempotenceStore implements IIdempotenceServiceFactory {
  readonly storeId = `memory:${randomUUID()}`;
  readonly rows = new Map<string, MemoryRow>();
  private readonly claims = new Map<string, { owner: MemoryUnitOfWork; ended: Promise<void>; end: () => void }>();

  private owners = 0;

  constructor(private readonly options: { retentionWindowMs?: number; flushLeaseMs?: number } = {}) {}

  create(inboxWorkQueueUri: string): MemoryIdempotenceService {
    return new MemoryIdempotenceService(this, inboxWorkQueueUri, this.options.retentionWindowMs, this.options.flushLeaseMs);
  }

  /** The service behind an endpoint's transactional sessions (the same service: it answers the sweeper too). */
  createSessionService(sessionKey: string): MemoryIdempotenceService {
    return new MemoryIdempotenceService(this, sessionKey, this.options.retentionWindowMs, this.options.flushLeaseMs);
  }

  /** A flush lease owner nobody else holds. */
  newOwner(): string {
    return `owner-${++this.owners}`;
  }

  /** Claims held by open units of work right now (zero when nothing is in flight). */
  get heldClaims(): number {
    return this.claims.size;
  }

  /** Waits while another unit of work holds the claim on `key`, then claims it for `uow` if no row exists. */
  async claim(key: string, uow: MemoryUnitOfWork): Promise<MemoryRow | undefined> {
    for (;;) {
      const held = this.claims.get(key);
      if (!held || held.owner === uow) break;
      await held.ended;
    }
    // A unit of work that ended while it waited (rolled back: its process died, its connection closed)
    // claims nothing, as a database would not for a closed connection.
    if (uow.ended) throw new StoreError('the unit of work ended while it waited for the claim');
    const row = this.rows.get(key);
    if (!row && !this.claims.has(key)) {
      let end!: () => void;
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
      this.claims.set(key, { owner: uow, ended, end });
      uow.claimedKey = key;
    }
    return row;
  }

  /** Applies a committing unit of work's writes in one step. */
  apply(uow: MemoryUnitOfWork, messageType: (key: string) => string): void {
    if (uow.handledKey) {
      this.rows.set(uow.handledKey, {
        status: 'handled',
        messageType: messageType(uow.handledKey),
        deferred: uow.deferred.filter((d) => d.key === uow.handledKey).map(({ key: _k, ...d }) => d),
        completedAt: 0,
        claimedAt: Date.now(),
        flushOwner: uow.flushOwner,
        flushUntil: uow.flushUntil,
      });
    }
  }

  /** Releases the claim of an ending unit of work (commit or rollback) and wakes the copies waiting on it. */
  release(uow: MemoryUnitOfWork): void {
    if (!uow.claimedKey) return;
    const held = this.claims.get(uow.claimedKey);
    if (held?.owner === uow) {
      this.claims.delete(uow.claimedKey);
      held.end();
    }
  }

  /** Retention: removes completed rows older than the cutoff, at most `batch` of them. Returns how many. */
  removeCompletedBefore(cutoff: number, batch = 1000): number {
    let removed = 0;
    for (const [key, row] of this.rows) {
      if (removed >= batch) break;
      if (row.status === 'completed' && row.completedAt < cutoff) {
        this.rows.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
