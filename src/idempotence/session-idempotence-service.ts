import type { IIdempotenceService } from './idempotence-service.js';

/**
 * The idempotence service behind transactional sessions: the same rows as a handled message's (a session is
 * an "inbound message" that never came over a queue, keyed by a session id), plus the sweeper's question.
 * Its units of work are always plain transactions the user can write in, whatever the endpoint's own
 * idempotence does (group commit shares transactions among handlers; a session owns its own).
 */
export interface ISessionIdempotenceService extends IIdempotenceService {
  /**
   * Sessions whose work committed with sends still owed and whose flush lease has run out (or was given
   * up): the process that committed them died or stalled before dispatching. Oldest first, at most `limit`.
   */
  orphanedSessions(now: number, limit: number): Promise<readonly string[]>;
}
