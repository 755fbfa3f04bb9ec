import type { TransportMessage } from '../../envelope/transport-message.js';
import { StoreError } from '../../errors/errors.js';
import { DEFAULT_FLUSH_LEASE_MS, type FlushLeaseAttempt, takeFlushLease } from '../flush-lease.js';
import type { PendingSends } from '../idempotence-events.js';
import { IdempotenceKeys } from '../idempotence-key.js';
import { type DeferredMessage, type IIdempotenceAdmin, ProcessingStatus } from '../idempotence-service.js';
import type { ISessionIdempotenceService } from '../session-idempotence-service.js';
import type { IUnitOfWork } from '../unit-of-work.js';
import type { MemoryIdempotenceStore } from './memory-idempotence-store.js';
import { MemoryUnitOfWork } from './memory-unit-of-work.js';

/** One endpoint's view of a MemoryIdempotenceStore: rows keyed by (its inbox URI, messageId). */
export class MemoryIdempotenceService implements ISessionIdempotenceService, IIdempotenceAdmin {
  readonly enabled = true;
  /** Operations and telemetry read pending sends here. */
  readonly admin: IIdempotenceAdmin = this;
  private readonly types = new Map<string, string>();
  /** The lease each copy (its TransportMessage object) holds, as in the SQL service. */
  private readonly flushOwners = new WeakMap<TransportMessage, string>();
  private readonly keys: IdempotenceKeys;

  constructor(
    private readonly store: MemoryIdempotenceStore,
    readonly inboxWorkQueueUri: string,
    private readonly retentionWindowMs: number | undefined,
    private readonly flushLeaseMs = DEFAULT_FLUSH_LEASE_MS,
  ) {
    this.keys = new IdempotenceKeys(inboxWorkQueueUri);
  }

  retentionWindowFor(): number | undefined {
    return this.retentionWindowMs;
  }

  async beginUnitOfWork(): Promise<IUnitOfWork> {
    return new MemoryUnitOfWork(
      this.store.storeId,
      (uow) => this.store.apply(uow, (key) => this.types.get(key) ?? ''),
      (uow) => this.store.release(uow),
    );
  }

  async processingStatus(tm: TransportMessage, uow: IUnitOfWork): Promise<ProcessingStatus> {
    const key = this.key(tm);
    const row = await this.store.claim(key, this.own(uow));
    if (!row) return ProcessingStatus.Assigned;
    return row.status === 'handled' ? ProcessingStatus.MessageHandled : ProcessingStatus.Ignore;
  }

  async addDeferredMessage(received: TransportMessage, outgoing: TransportMessage, body: Uint8Array, uow: IUnitOfWork): Promise<void> {
    const own = this.own(uow);
    own.deferred.push({
      key: this.key(received),
      messageId: outgoing.messageId,
      recipientUri: outgoing.recipientInboxWorkQueueUri,
      sequence: own.deferred.length,
      body: Uint8Array.from(body),
    });
  }

  async messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void> {
    const key = this.key(tm);
    const own = this.own(uow);
    if (own.claimedKey !== key) throw new StoreError('messageHandled without the claim on this message', { messageId: tm.messageId });
    own.handledKey = key;
    own.flushOwner = this.store.newOwner();
    own.flushUntil = Date.now() + this.flushLeaseMs;
    this.flushOwners.set(tm, own.flushOwner);
    this.types.set(key, tm.messageType);
  }

  async getDeferredMessages(received: TransportMessage, onWaiting?: () => void): Promise<readonly DeferredMessage[]> {
    if (!this.flushOwners.has(received)) {
      const owner = this.store.newOwner();
      this.flushOwners.set(received, owner);
      if (!(await takeFlushLease(async () => this.tryTakeFlush(received, owner), Date.now, onWaiting))) return [];
    }
    return [...(this.store.rows.get(this.key(received))?.deferred ?? [])];
  }

  async deferredMessageSent(received: TransportMessage, deferred: DeferredMessage): Promise<void> {
    const row = this.store.rows.get(this.key(received));
    if (row) row.deferred = row.deferred.filter((d) => d.sequence !== deferred.sequence);
  }

  async processingCompleted(tm: TransportMessage): Promise<void> {
    const key = this.key(tm);
    const row = this.store.rows.get(key);
    this.flushOwners.delete(tm);
    if (row && row.status !== 'completed') {
      row.status = 'completed';
      row.completedAt = Date.now();
      row.flushOwner = null;
      row.flushUntil = 0;
    }
    this.types.delete(key);
  }

  async isHandled(tm: TransportMessage): Promise<boolean> {
    return this.store.rows.get(this.key(tm))?.status === 'handled';
  }

  async releaseFlush(tm: TransportMessage): Promise<void> {
    const owner = this.flushOwners.get(tm);
    this.flushOwners.delete(tm);
    const row = this.store.rows.get(this.key(tm));
    if (owner !== undefined && row?.flushOwner === owner) {
      row.flushOwner = null;
      row.flushUntil = 0;
    }
  }

  /** SQL's takeFlush: a 'handled' row whose lease is free, run out, or already this copy's. */
  private tryTakeFlush(tm: TransportMessage, owner: string): FlushLeaseAttempt {
    const row = this.store.rows.get(this.key(tm));
    const now = Date.now();
    if (row?.status !== 'handled') {
      this.flushOwners.delete(tm);
      return { outcome: 'completed' };
    }
    if (row.flushOwner === null || row.flushOwner === owner || row.flushUntil <= now) {
      row.flushOwner = owner;
      row.flushUntil = now + this.flushLeaseMs;
      return { outcome: 'taken' };
    }
    return { outcome: 'held', until: row.flushUntil };
  }

  async pendingSends(): Promise<PendingSends> {
    const prefix = this.keys.text('');
    let count = 0;
    let oldestClaimedAt: number | null = null;
    for (const [key, row] of this.store.rows) {
      if (!key.startsWith(prefix) || row.deferred.length === 0) continue;
      count += row.deferred.length;
      oldestClaimedAt = Math.min(oldestClaimedAt ?? row.claimedAt, row.claimedAt);
    }
    return { count, oldestClaimedAt };
  }

  /** Committed rows owing sends whose flush lease has run out (the transactional sessions' sweeper). */
  async orphanedSessions(now: number, limit: number): Promise<readonly string[]> {
    const prefix = this.keys.text('');
    const owed: { id: string; at: number }[] = [];
    for (const [key, row] of this.store.rows) {
      if (key.startsWith(prefix) && row.status === 'handled' && row.flushUntil < now) owed.push({ id: this.keys.messageIdOf(key), at: row.claimedAt });
    }
    return owed.sort((a, b) => a.at - b.at).slice(0, limit).map((o) => o.id);
  }

  private key(tm: TransportMessage): string {
    return this.keys.text(tm.messageId);
  }

  private own(uow: IUnitOfWork): MemoryUnitOfWork {
    if (!(uow instanceof MemoryUnitOfWork) || uow.storeId !== this.store.storeId) {
      throw new StoreError('unit of work does not belong to this memory idempotence store');
    }
    return uow;
  }
}
