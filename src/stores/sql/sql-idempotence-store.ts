import type { IIdempotenceServiceFactory } from '../../idempotence/idempotence-service-factory.js';
import type { ILogger } from '../../logging/logger.js';
import { RetentionPurger, type RetentionOptions } from './retention.js';
import { SqlIdempotenceService } from './sql-idempotence-service.js';
import type { SqlStore } from './sql-store.js';

const WEEK = 7 * 24 * 3_600_000;

/**
 * The SQL idempotence store: bind it as TYPES.IdempotenceServiceFactory. It creates one service per
 * endpoint (keyed by the endpoint's inbox URI) and runs one retention purger for all of them while at
 * least one is started. Retention defaults to 7 days.
 */
export class SqlIdempotenceStore implements IIdempotenceServiceFactory {
  private readonly purger: RetentionPurger;
  private readonly retention: RetentionOptions;
  private started = 0;

  constructor(
    readonly store: SqlStore,
    retention: RetentionOptions = {},
    logger?: ILogger,
  ) {
    this.retention = { windowMs: WEEK, ...retention };
    this.purger = new RetentionPurger(store, this.retention, logger);
  }

  create(inboxWorkQueueUri: string): SqlIdempotenceService {
    return new SqlIdempotenceService(
      this.store,
      inboxWorkQueueUri,
      this.retention,
      async () => {
        if (this.started++ === 0) this.purger.start();
      },
      async () => {
        if (--this.started === 0) await this.purger.stop();
      },
    );
  }

  /** Runs one purge pass now (tests, tooling). */
  purgeNow(now?: number): Promise<number> {
    return this.purger.purgeNow(now);
  }
}
