import type { TransportMessage } from '../../envelope/transport-message.js';
import { StoreError } from '../../errors/errors.js';
import { type DeferredMessage, type IIdempotenceService, ProcessingStatus } from '../idempotence-service.js';
import type { IUnitOfWork } from '../unit-of-work.js';
import { MemoryIdempotenceStore } from './memory-idempotence-store.js';
import { MemoryUnitOfWork } from './memory-unit-of-work.js';

/** One endpoint's view of a MemoryIdempotenceStore: rows keyed by (its inbox URI, messageId). */
export class MemoryIdempotenceService implements IIdempotenceService {
  readonly enabled = true;
  private readonly types = new Map<string, string>();

  constructor(
    private readonly store: MemoryIdempotenceStore,
    readonly inboxWorkQueueUri: string,
    readonly retentionWindowMs: number | undefined,
  ) {}

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
    this.own(uow).deferred.push({
      key: this.key(received),
      messageId: outgoing.messageId,
      recipientUri: outgoing.recipientInboxWorkQueueUri,
      body: Uint8Array.from(body),
    });
  }

  async messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void> {
    const key = this.key(tm);
    const own = this.own(uow);
    if (own.claimedKey !== key) throw new StoreError('messageHandled without the claim on this message', { messageId: tm.messageId });
    own.handledKey = key;
    this.types.set(key, tm.messageType);
  }

  async getDeferredMessages(received: TransportMessage): Promise<readonly DeferredMessage[]> {
    return [...(this.store.rows.get(this.key(received))?.deferred ?? [])];
  }

  async deferredMessageSent(received: TransportMessage, outgoingMessageId: string): Promise<void> {
    const row = this.store.rows.get(this.key(received));
    if (row) row.deferred = row.deferred.filter((d) => d.messageId !== outgoingMessageId);
  }

  async processingCompleted(tm: TransportMessage): Promise<void> {
    const key = this.key(tm);
    const row = this.store.rows.get(key);
    if (row) {
      row.status = 'completed';
      row.completedAt = Date.now();
    }
    this.types.delete(key);
  }

  private key(tm: TransportMessage): string {
    return MemoryIdempotenceStore.key(this.inboxWorkQueueUri, tm.messageId);
  }

  private own(uow: IUnitOfWork): MemoryUnitOfWork {
    if (!(uow instanceof MemoryUnitOfWork) || uow.storeId !== this.store.storeId) {
      throw new StoreError('unit of work does not belong to this memory idempotence store');
    }
    return uow;
  }
}
