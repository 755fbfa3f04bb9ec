import { randomUUID } from 'node:crypto';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { OncebusError, StoreError } from '../../errors/errors.js';
import { type FlushLeaseAttempt, takeFlushLease } from '../../idempotence/flush-lease.js';
import type { IdempotenceEvents, PendingSends } from '../../idempotence/idempotence-events.js';
import { IdempotenceKeys } from '../../idempotence/idempotence-key.js';
import { type DeferredMessage, type IIdempotenceAdmin, type IIdempotenceService, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import { purgeAfter, type RetentionOptions, retentionWindow } from './retention.js';
import type { SqlDatabase } from './sql-database.js';
import type { SqlStore } from './sql-store.js';
import { type RecordsSource, SqlUnitOfWork } from './sql-unit-of-work.js';

interface DeferredRow {
  sequence: number | string;
  outgoing_message_id: string;
  recipient_uri: string;
  body: Uint8Array;
}

/** How an endpoint's SQL idempotence service behaves, resolved by SqlIdempotenceStore. */
export interface SqlIdempotenceSettings {
  readonly retention: RetentionOptions;
  /** How long a copy's flush lease lasts (ms); see flush-lease.ts. */
  readonly flushLeaseMs: number;
}

/**
 * The idempotence contract (claim, stored sends flushed after commit, completion) over SQL, for one endpoint (rows keyed by its inbox URI and the messageId).
 * The claim is an INSERT in the unit of work's transaction: a concurrent copy's INSERT of the same key waits
 * on the uncommitted row (PostgreSQL's ON CONFLICT, SQL Server's key lock, SQLite's single writer) and then
 * sees the committed outcome. Committed rows are only ever 'handled' or 'completed': the 'assigned' claim
 * becomes 'handled' in the same transaction, or rolls back with it. A 'handled' row carries the flush
 * lease (flush_owner, flush_until) of the copy dispatching its stored sends.
 */
export class SqlIdempotenceService implements IIdempotenceService, IIdempotenceAdmin {
  readonly enabled = true;
  /** Operations and telemetry read pending sends and the store's events here. */
  readonly admin: IIdempotenceAdmin = this;
  /** The lease each copy (its TransportMessage object) holds or will hold once its unit of work commits. */
  private readonly flushOwners = new WeakMap<TransportMessage, string>();
  private unreserve: (() => void) | null = null;
  private running = false;
  protected readonly keys: IdempotenceKeys;

  constructor(
    protected readonly store: SqlStore,
    readonly inboxWorkQueueUri: string,
    protected readonly settings: SqlIdempotenceSettings,
    private readonly onStart: () => Promise<void>,
    private readonly onStop: () => Promise<void>,
    readonly events?: IdempotenceEvents,
  ) {
    this.keys = new IdempotenceKeys(inboxWorkQueueUri);
  }

  protected get retention(): RetentionOptions {
    return this.settings.retention;
  }

  retentionWindowFor(messageType: string): number | undefined {
    return retentionWindow(this.retention, messageType);
  }

  async start(context?: { readonly concurrency: number }): Promise<void> {
    await this.store.ready();
    this.unreserve?.();
    const connections = this.connectionsHeld(context?.concurrency ?? 1);
    this.unreserve = this.store.database.budget?.reserve(connections, `units of work of ${this.inboxWorkQueueUri}`) ?? null;
    await this.onStart();
    this.running = true;
  }

  async stop(): Promise<void> {
    this.unreserve?.();
    this.unreserve = null;
    if (!this.running) return; // a start that failed half-way: nothing was started
    this.running = false;
    await this.onStop();
  }

  /** Connections held at once while `concurrency` messages are in flight: one unit of work each. */
  protected connectionsHeld(concurrency: number): number {
    return concurrency;
  }

  async beginUnitOfWork(): Promise<IUnitOfWork> {
    const db = this.store.database;
    const { connectionFailure, records } = this.unitOfWorkParts();
    return new SqlUnitOfWork(await db.begin(), db.id, connectionFailure, records);
  }

  private parts: { readonly db: SqlDatabase; readonly connectionFailure?: (error: unknown) => boolean; readonly records?: RecordsSource } | null = null;

  /**
   * What every unit of work of this service shares — its database's failure test and where its add-on rows
   * live (IUnitOfWork.records, when the dialect keeps such tables) — made once, not per message.
   */
  protected unitOfWorkParts(): { readonly connectionFailure?: (error: unknown) => boolean; readonly records?: RecordsSource } {
    const db = this.store.database;
    if (this.parts?.db !== db) {
      const tables = this.store.dialect.recordTables;
      this.parts = { db, connectionFailure: db.isConnectionFailure?.bind(db), records: tables ? { dialect: db.dialect, tables } : undefined };
    }
    return this.parts;
  }

  async processingStatus(tm: TransportMessage, uow: IUnitOfWork): Promise<ProcessingStatus> {
    const tx = this.own(uow).tx;
    const s = this.store.dialect.idempotence;
    // Twice at most: a completed row removed by retention between the two statements is claimed anew.
    for (let attempt = 0; attempt < 2; attempt++) {
      const claimed = await tx.execute(s.claim, this.keys.params(tm.messageId, tm.messageType)).catch((error: unknown) => {
        // SQL Server answers a claim of an existing key with a duplicate key (after waiting for its holder): the row exists.
        if (OncebusError.is(error) && error.code === 'ONCEBUS_STORE_DUPLICATE_KEY') return 0;
        throw error;
      });
      if (claimed === 1) return ProcessingStatus.Assigned;
      const [row] = await tx.query<{ status: string }>(s.status, this.keys.params(tm.messageId));
      if (row?.status === 'handled') return ProcessingStatus.MessageHandled;
      if (row?.status === 'completed') return ProcessingStatus.Ignore;
    }
    throw new StoreError('idempotence row neither claimable nor readable', { messageId: tm.messageId });
  }

  async addDeferredMessage(received: TransportMessage, outgoing: TransportMessage, body: Uint8Array, uow: IUnitOfWork): Promise<void> {
    const own = this.own(uow);
    await own.tx.execute(this.store.dialect.idempotence.insertDeferred, this.keys.params(received.messageId, own.nextSequence++, outgoing.messageId, outgoing.recipientInboxWorkQueueUri, body));
  }

  async messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void> {
    const owner = this.newFlushOwner(tm);
    const params = this.keys.params(tm.messageId, owner, Date.now() + this.settings.flushLeaseMs);
    const n = await this.own(uow).tx.execute(this.store.dialect.idempotence.markHandled, params);
    if (n !== 1) throw new StoreError('messageHandled found no claim for this message', { messageId: tm.messageId });
  }

  async getDeferredMessages(received: TransportMessage, onWaiting?: () => void): Promise<readonly DeferredMessage[]> {
    if (!this.flushOwners.has(received)) {
      const owner = this.newFlushOwner(received);
      if (!(await takeFlushLease(() => this.tryTakeFlush(received, owner), Date.now, onWaiting))) return [];
    }
    return this.storedSends(received);
  }

  /** The stored sends of a message as committed, in send order (no lease taken: the caller holds it). */
  protected async storedSends(received: TransportMessage): Promise<readonly DeferredMessage[]> {
    const rows = await this.store.database.query<DeferredRow>(this.store.dialect.idempotence.selectDeferred, this.keys.params(received.messageId));
    return rows.map((r) => ({ messageId: r.outgoing_message_id, recipientUri: r.recipient_uri, sequence: Number(r.sequence), body: r.body }));
  }

  async deferredMessageSent(received: TransportMessage, deferred: DeferredMessage): Promise<void> {
    await this.store.database.execute(this.store.dialect.idempotence.deleteDeferred, this.keys.params(received.messageId, deferred.sequence));
  }

  async processingCompleted(tm: TransportMessage): Promise<void> {
    const now = Date.now();
    this.flushOwners.delete(tm);
    await this.store.database.execute(this.store.dialect.idempotence.markCompleted, this.keys.params(tm.messageId, now, purgeAfter(this.retention, tm.messageType, now)));
  }

  async isHandled(tm: TransportMessage): Promise<boolean> {
    const [row] = await this.store.database.query<{ status: string }>(this.store.dialect.idempotence.status, this.keys.params(tm.messageId));
    return row?.status === 'handled';
  }

  async pendingSends(): Promise<PendingSends> {
    const [row] = await this.store.database.query<{ n: number | string; oldest: number | string | null }>(this.store.dialect.idempotence.pendingSends, [this.keys.endpoint]);
    const count = Number(row?.n ?? 0);
    return { count, oldestClaimedAt: count > 0 && row?.oldest != null ? Number(row.oldest) : null };
  }

  async releaseFlush(tm: TransportMessage): Promise<void> {
    const owner = this.flushOwners.get(tm);
    if (owner === undefined) return;
    this.flushOwners.delete(tm);
    await this.store.database.execute(this.store.dialect.idempotence.releaseFlush, this.keys.params(tm.messageId, owner));
  }

  /** A fresh lease owner for this copy; the lease is real once the statement carrying it commits. */
  protected newFlushOwner(tm: TransportMessage): string {
    const owner = randomUUID();
    this.flushOwners.set(tm, owner);
    return owner;
  }

  private async tryTakeFlush(tm: TransportMessage, owner: string): Promise<FlushLeaseAttempt> {
    const s = this.store.dialect.idempotence;
    const now = Date.now();
    const params = this.keys.params(tm.messageId, owner, now, now + this.settings.flushLeaseMs);
    if ((await this.store.database.execute(s.takeFlush, params)) === 1) return { outcome: 'taken' };
    const [row] = await this.store.database.query<{ status: string; flush_until: number | string | null }>(s.status, this.keys.params(tm.messageId));
    if (row?.status !== 'handled') {
      this.flushOwners.delete(tm);
      return { outcome: 'completed' };
    }
    return { outcome: 'held', until: Number(row.flush_until ?? now) };
  }

  protected own(uow: IUnitOfWork): SqlUnitOfWork {
    if (!(uow instanceof SqlUnitOfWork) || uow.storeId !== this.store.database.id) {
      throw new StoreError('unit of work does not belong to this SQL idempotence store');
    }
    return uow;
  }
}
