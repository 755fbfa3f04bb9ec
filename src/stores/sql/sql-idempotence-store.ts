import { ConfigurationError } from '../../errors/errors.js';
import type { IIdempotenceServiceFactory } from '../../idempotence/idempotence-service-factory.js';
import type { ILogger } from '../../logging/logger.js';
import { RetentionPurger, type RetentionOptions } from './retention.js';
import { SqlIdempotenceService } from './sql-idempotence-service.js';
import type { SqlStore } from './sql-store.js';
import { GroupCommitIdempotenceService } from './group-commit/group-commit-idempotence-service.js';
import { type GroupCommitOptions, type ResolvedGroupCommitOptions, resolveGroupCommitOptions } from './group-commit/group-commit-options.js';

/** Retention, and whether to group-commit (PostgreSQL only). */
export interface SqlIdempotenceOptions extends RetentionOptions {
  /**
   * Share transactions among in-flight messages (see GroupCommitOptions): much higher throughput with
   * the same guarantees; handlers of one lane run one at a time. Off by default.
   */
  readonly groupCommit?: boolean | GroupCommitOptions;
}

const WEEK = 7 * 24 * 3_600_000;

/**
 * The SQL idempotence store: bind it as TYPES.IdempotenceServiceFactory. It creates one service per
 * endpoint (keyed by the endpoint's inbox URI) and runs one retention purger for all of them while at
 * least one is started. Retention defaults to 7 days.
 */
export class SqlIdempotenceStore implements IIdempotenceServiceFactory {
  private readonly purger: RetentionPurger;
  private readonly retention: RetentionOptions;
  private readonly groupCommit: ResolvedGroupCommitOptions | null;
  private started = 0;

  constructor(
    readonly store: SqlStore,
    options: SqlIdempotenceOptions = {},
    logger?: ILogger,
  ) {
    const { groupCommit, ...retention } = options;
    this.retention = { windowMs: WEEK, ...retention };
    this.purger = new RetentionPurger(store, this.retention, logger);
    this.groupCommit = groupCommit ? resolveGroupCommitOptions(groupCommit) : null;
    if (this.groupCommit && !store.dialect.groupCommit) {
      throw new ConfigurationError('groupCommit', `the ${store.database.dialect} store cannot group-commit (PostgreSQL can)`);
    }
  }

  create(inboxWorkQueueUri: string): SqlIdempotenceService {
    const onStart = async () => {
      if (this.started++ === 0) this.purger.start();
    };
    const onStop = async () => {
      if (--this.started === 0) await this.purger.stop();
    };
    if (this.groupCommit) {
      return new GroupCommitIdempotenceService(this.store, inboxWorkQueueUri, this.retention, onStart, onStop, this.store.dialect.groupCommit!, this.groupCommit);
    }
    return new SqlIdempotenceService(this.store, inboxWorkQueueUri, this.retention, onStart, onStop);
  }

  /** Runs one purge pass now (tests, tooling). */
  purgeNow(now?: number): Promise<number> {
    return this.purger.purgeNow(now);
  }
}
