import type { TransportMessage } from '../../../envelope/transport-message.js';
import { StoreError } from '../../../errors/errors.js';
import type { IdempotenceEvents } from '../../../idempotence/idempotence-events.js';
import type { DeferredMessage, ProcessingStatus } from '../../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../../idempotence/unit-of-work.js';
import { purgeAfter } from '../retention.js';
import { SqlIdempotenceService, type SqlIdempotenceSettings } from '../sql-idempotence-service.js';
import type { GroupCommitStatements } from '../sql-statements.js';
import type { SqlStore } from '../sql-store.js';
import { ClaimsInFlight } from './claims-in-flight.js';
import { CommitLane } from './commit-lane.js';
import { CompletionBatcher } from './completion-batcher.js';
import type { ResolvedGroupCommitOptions } from './group-commit-options.js';
import { GroupMember } from './group-member.js';

/**
 * The SQL idempotence service with group commit: the same contract and the same rows as
 * SqlIdempotenceService, with the statements of many in-flight messages sharing transactions. Each
 * message still commits (claim, handler writes, stored sends, `handled`) before its sends are flushed,
 * and is completed before it is acknowledged; only the commits are shared.
 */
export class GroupCommitIdempotenceService extends SqlIdempotenceService {
  private readonly lanes: CommitLane[];
  private readonly completion: CompletionBatcher;
  /**
   * The sends of messages whose batch just committed, kept until what is stored changes: the flush right
   * after needs no read, and a message that stored none (its row committed 'completed') needs no completion.
   */
  private readonly committedSends = new WeakMap<TransportMessage, readonly DeferredMessage[]>();
  private savepoints = 0;

  constructor(
    store: SqlStore,
    inboxWorkQueueUri: string,
    settings: SqlIdempotenceSettings,
    onStart: () => Promise<void>,
    onStop: () => Promise<void>,
    private readonly statements: GroupCommitStatements,
    options: ResolvedGroupCommitOptions,
    events?: IdempotenceEvents,
  ) {
    super(store, inboxWorkQueueUri, settings, onStart, onStop, events);
    const { retention } = settings;
    const claims = new ClaimsInFlight();
    const context = {
      database: store.database,
      statements,
      keys: this.keys,
      claims,
      maxBatchSize: options.maxBatchSize,
      flushLeaseMs: settings.flushLeaseMs,
      resubmit: (member: GroupMember) => this.route(member),
      purgeAfter: (messageType: string, now: number) => purgeAfter(retention, messageType, now),
      batchCommitted: (size: number, commitSeconds: number) => events?.emit('batchCommitted', inboxWorkQueueUri, size, commitSeconds),
      committed: (member: GroupMember) => {
        if (member.message) this.committedSends.set(member.message, member.deferred);
      },
    };
    this.lanes = Array.from({ length: options.lanes }, () => new CommitLane(context));
    this.completion = new CompletionBatcher(store.database, statements, this.keys);
  }

  /** One connection per lane, however many messages are in flight. */
  protected override connectionsHeld(): number {
    return this.lanes.length;
  }

  override async beginUnitOfWork(): Promise<IUnitOfWork> {
    return this.openUnitOfWork();
  }

  /** A member needs no round trip to begin (its lane's transaction is shared): opened at once, no promise. */
  openUnitOfWork(): IUnitOfWork {
    this.savepoints = (this.savepoints + 1) % 1_000_000;
    const { connectionFailure, records } = this.unitOfWorkParts();
    return new GroupMember(this.store.database.id, `oncebus_m${this.savepoints}`, this.statements, connectionFailure, records);
  }

  override processingStatus(tm: TransportMessage, uow: IUnitOfWork): Promise<ProcessingStatus> {
    const member = this.member(uow);
    const status = member.join(tm);
    this.route(member);
    return status;
  }

  override async addDeferredMessage(received: TransportMessage, outgoing: TransportMessage, body: Uint8Array, uow: IUnitOfWork): Promise<void> {
    const member = this.member(uow, received);
    member.deferred.push({ messageId: outgoing.messageId, recipientUri: outgoing.recipientInboxWorkQueueUri, sequence: member.deferred.length, body });
  }

  override async messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void> {
    const member = this.member(uow, tm);
    member.handled = true;
    // The lease is written with the batch's sends (storeSendsMany), for members that stored any (the
    // handler has returned: its sends are all in). One that stored none commits 'completed' and owes nothing.
    if (member.deferred.length > 0) member.flushOwner = this.newFlushOwner(tm);
  }

  owesNothing(received: TransportMessage): boolean {
    return this.committedSends.get(received)?.length === 0;
  }

  override getDeferredMessages(received: TransportMessage, onWaiting?: () => void): Promise<readonly DeferredMessage[]> {
    const known = this.committedSends.get(received);
    return known ? Promise.resolve(known) : super.getDeferredMessages(received, onWaiting);
  }

  override deferredMessageSent(received: TransportMessage, deferred: DeferredMessage): Promise<void> {
    this.committedSends.delete(received); // what is stored has changed: read it from now on
    return this.completion.sent(received.messageId, deferred.sequence);
  }

  override processingCompleted(tm: TransportMessage): Promise<void> {
    const known = this.committedSends.get(tm);
    this.committedSends.delete(tm);
    if (known?.length === 0) return Promise.resolve(); // committed 'completed': nothing was owed
    return this.completion.completed(tm.messageId, purgeAfter(this.retention, tm.messageType, Date.now()));
  }

  /** To the lane with the fewest members waiting or in its open batch. */
  private route(member: GroupMember): void {
    let best = this.lanes[0]!;
    for (const lane of this.lanes) if (lane.load < best.load) best = lane;
    best.submit(member);
  }

  private member(uow: IUnitOfWork, during?: TransportMessage): GroupMember {
    if (!(uow instanceof GroupMember) || uow.storeId !== this.store.database.id) {
      throw new StoreError('unit of work does not belong to this group-commit idempotence store');
    }
    if (during && !uow.inSection) throw new StoreError('the unit of work is not in its turn (called outside the handler)', { messageId: during.messageId });
    return uow;
  }
}
