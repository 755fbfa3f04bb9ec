import type { ISessionIdempotenceService } from '../../sessions/session-service.js';
import { SqlIdempotenceService } from './sql-idempotence-service.js';

/**
 * Transactional sessions on a SQL store: the plain idempotence service (its units of work are transactions
 * of their own, even when the endpoint's handlers group-commit) plus the sweeper's query.
 */
export class SqlSessionService extends SqlIdempotenceService implements ISessionIdempotenceService {
  async orphanedSessions(now: number, limit: number): Promise<readonly string[]> {
    const rows = await this.store.database.query<{ message_id: string }>(this.store.dialect.idempotence.orphaned, [this.inboxWorkQueueUri, now, limit]);
    return rows.map((r) => r.message_id);
  }

  /** Sessions borrow pooled connections while they run; none is held for them in between. */
  protected override connectionsHeld(): number {
    return 0;
  }
}
