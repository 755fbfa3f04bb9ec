import type { TransportMessage } from '../../envelope/transport-message.js';
import { OncebusError, StoreError } from '../../errors/errors.js';
import { type DeferredMessage, type IIdempotenceService, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import { purgeAfter, type RetentionOptions } from './retention.js';
import type { SqlStore } from './sql-store.js';
import { SqlUnitOfWork } from './sql-unit-of-work.js';

interface DeferredRow {
  outgoing_message_id: string;
  recipient_uri: string;
  body: Uint8Array;
}

/**
 * DESIGN.md's idempotence contract over SQL, for one endpoint (rows keyed by its inbox URI and the messageId).
 * The claim is an INSERT in the unit of work's transaction: a concurrent copy's INSERT of the same key waits
 * on the uncommitted row (PostgreSQL's ON CONFLICT, SQL Server's key lock, SQLite's single writer) and then
 * sees the committed outcome. Committed rows are only ever 'handled' or 'completed': the 'assigned' claim
 * becomes 'handled' in the same transaction, or rolls back with it.
 */
export class SqlIdempotenceService implements IIdempotenceService {
  readonly enabled = true;

  constructor(
    protected readonly store: SqlStore,
    readonly inboxWorkQueueUri: string,
    protected readonly retention: RetentionOptions,
    private readonly onStart: () => Promise<void>,
    private readonly onStop: () => Promise<void>,
  ) {}

  /** The shortest window any message may get: what the bus compares with the age of a message. */
  get retentionWindowMs(): number | undefined {
    const windows = [this.retention.windowMs, ...Object.values(this.retention.byType ?? {})].filter((w): w is number => w !== undefined);
    return windows.length === 0 ? undefined : Math.min(...windows);
  }

  async start(): Promise<void> {
    await this.store.ready();
    await this.onStart();
  }

  stop(): Promise<void> {
    return this.onStop();
  }

  async beginUnitOfWork(): Promise<IUnitOfWork> {
    return new SqlUnitOfWork(await this.store.database.begin(), this.store.database.id);
  }

  async processingStatus(tm: TransportMessage, uow: IUnitOfWork): Promise<ProcessingStatus> {
    const tx = this.own(uow).tx;
    const s = this.store.dialect.idempotence;
    // Twice at most: a completed row removed by retention between the two statements is claimed anew.
    for (let attempt = 0; attempt < 2; attempt++) {
      const claimed = await tx.execute(s.claim, [this.inboxWorkQueueUri, tm.messageId, tm.messageType]).catch((error: unknown) => {
        // SQL Server may answer a racing claim with a duplicate key instead of waiting: the row exists.
        if (OncebusError.is(error) && error.code === 'ONCEBUS_STORE_DUPLICATE_KEY') return 0;
        throw error;
      });
      if (claimed === 1) return ProcessingStatus.Assigned;
      const [row] = await tx.query<{ status: string }>(s.status, [this.inboxWorkQueueUri, tm.messageId]);
      if (row?.status === 'handled') return ProcessingStatus.MessageHandled;
      if (row?.status === 'completed') return ProcessingStatus.Ignore;
    }
    throw new StoreError('idempotence row neither claimable nor readable', { messageId: tm.messageId });
  }

  async addDeferredMessage(received: TransportMessage, outgoing: TransportMessage, body: Uint8Array, uow: IUnitOfWork): Promise<void> {
    const own = this.own(uow);
    await own.tx.execute(this.store.dialect.idempotence.insertDeferred, [
      this.inboxWorkQueueUri,
      received.messageId,
      own.nextSequence++,
      outgoing.messageId,
      outgoing.recipientInboxWorkQueueUri,
      body,
    ]);
  }

  async messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void> {
    const n = await this.own(uow).tx.execute(this.store.dialect.idempotence.markHandled, [this.inboxWorkQueueUri, tm.messageId]);
    if (n !== 1) throw new StoreError('messageHandled found no claim for this message', { messageId: tm.messageId });
  }

  async getDeferredMessages(received: TransportMessage): Promise<readonly DeferredMessage[]> {
    const rows = await this.store.database.query<DeferredRow>(this.store.dialect.idempotence.selectDeferred, [this.inboxWorkQueueUri, received.messageId]);
    return rows.map((r) => ({ messageId: r.outgoing_message_id, recipientUri: r.recipient_uri, body: r.body }));
  }

  async deferredMessageSent(received: TransportMessage, outgoingMessageId: string): Promise<void> {
    await this.store.database.execute(this.store.dialect.idempotence.deleteDeferred, [this.inboxWorkQueueUri, received.messageId, outgoingMessageId]);
  }

  async processingCompleted(tm: TransportMessage): Promise<void> {
    const now = Date.now();
    await this.store.database.execute(this.store.dialect.idempotence.markCompleted, [
      this.inboxWorkQueueUri,
      tm.messageId,
      now,
      purgeAfter(this.retention, tm.messageType, now),
    ]);
  }

  protected own(uow: IUnitOfWork): SqlUnitOfWork {
    if (!(uow instanceof SqlUnitOfWork) || uow.storeId !== this.store.database.id) {
      throw new StoreError('unit of work does not belong to this SQL idempotence store');
    }
    return uow;
  }
}
