import type { ISessionIdempotenceService } from './session-idempotence-service.js';
import type { IIdempotenceService } from './idempotence-service.js';

/**
 * Creates the idempotence service of one endpoint. Bound in the container (TYPES.IdempotenceServiceFactory)
 * by the store the user chose (memory, SQLite, PostgreSQL, SQL Server); an endpoint with idempotence on
 * asks it for a service keyed by its inbox work queue URI.
 */
export interface IIdempotenceServiceFactory {
  create(inboxWorkQueueUri: string): IIdempotenceService;
  /**
   * The service behind `bus.withTransaction` (transactional sessions), its rows keyed by `sessionKey`; a
   * store without it offers no sessions.
   */
  createSessionService?(sessionKey: string): ISessionIdempotenceService;
}
