import type { TransportMessage } from '../../envelope/transport-message.js';
import type { DeferredMessage } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { ISessionIdempotenceService } from '../../idempotence/session-idempotence-service.js';
import { SqlIdempotenceService } from './sql-idempotence-service.js';

/**
 * Transactional sessions on a SQL store: the plain idempotence service (its units of work are transactions
 * of their own, even when the endpoint's handlers group-commit) plus the sweeper's query. A session
 * remembers what it stored, so its own dispatch after the commit does not read it back (the sweeper does).
 */
export class SqlSessionService extends SqlIdempotenceService implements ISessionIdempotenceService {
  /** The sends each session stored, by its envelope: gone with the envelope if it rolled back. */
  private readonly stored = new WeakMap<TransportMessage, DeferredMessage[]>();

  async orphanedSessions(now: number, limit: number): Promise<readonly string[]> {
    const rows = await this.store.database.query<{ message_id: string }>(this.store.dialect.idempotence.orphaned, [this.keys.endpoint, now, limit]);
    return rows.map((r) => r.message_id);
  }

  override async addDeferredMessage(received: TransportMessage, outgoing: TransportMessage, body: Uint8Array, uow: IUnitOfWork): Promise<void> {
    // The sequence the base takes, read before it does (both synchronously, before any await).
    const sequence = this.own(uow).nextSequence;
    const stored = this.stored.get(received) ?? [];
    this.stored.set(received, stored);
    const written = super.addDeferredMessage(received, outgoing, body, uow);
    stored.push({ messageId: outgoing.messageId, recipientUri: outgoing.recipientInboxWorkQueueUri, sequence, body });
    await written;
  }

  /** After the session's commit (it holds the lease since messageHandled): what it stored, in send order. */
  override async getDeferredMessages(received: TransportMessage, onWaiting?: () => void): Promise<readonly DeferredMessage[]> {
    const known = this.stored.get(received);
    if (!known) return super.getDeferredMessages(received, onWaiting);
    this.stored.delete(received);
    return known.sort((a, b) => a.sequence - b.sequence);
  }

  /** Sessions borrow pooled connections while they run; none is held for them in between. */
  protected override connectionsHeld(): number {
    return 0;
  }
}
