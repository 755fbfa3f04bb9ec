import { ConfigurationError } from '../../errors/errors.js';
import type { HealthCheckResult, IHealthCheck } from '../../health/health-check.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { IIdempotenceServiceFactory } from '../../idempotence/idempotence-service-factory.js';
import { IdempotenceEvents } from '../../idempotence/idempotence-events.js';
import type { ILogger } from '../../logging/logger.js';
import { RetentionPurger, type RetentionOptions } from './retention.js';
import { DEFAULT_FLUSH_LEASE_MS } from '../../idempotence/flush-lease.js';
import { SqlIdempotenceService, type SqlIdempotenceSettings } from './sql-idempotence-service.js';
import { SqlSessionService } from './sql-session-service.js';
import type { SqlStore } from './sql-store.js';
import { GroupCommitIdempotenceService } from './group-commit/group-commit-idempotence-service.js';
import { type GroupCommitOptions, type ResolvedGroupCommitOptions, resolveGroupCommitOptions } from './group-commit/group-commit-options.js';

/** Retention, and whether to group-commit (PostgreSQL and SQLite). */
export interface SqlIdempotenceOptions extends RetentionOptions {
  /**
   * Share transactions among in-flight messages (see GroupCommitOptions): much higher throughput with
   * the same guarantees; handlers of one lane run one at a time. Off by default.
   */
  readonly groupCommit?: boolean | GroupCommitOptions;
  /**
   * How long one copy may flush a message's stored sends before another copy may take over (ms, default
   * 5 s). A copy that finds the message handled while another flushes waits for it; a copy killed
   * mid-flush holds the next one up this long at most.
   */
  readonly flushLeaseMs?: number;
}

const WEEK = 7 * 24 * 3_600_000;

/**
 * The SQL idempotence store: bind it as TYPES.IdempotenceServiceFactory. It creates one service per
 * endpoint (keyed by the endpoint's inbox URI) and runs one retention purger for all of them while at
 * least one is started. Retention defaults to 7 days.
 */
export class SqlIdempotenceStore implements IIdempotenceServiceFactory, IHealthCheck {
  private readonly purger: RetentionPurger;
  private readonly settings: SqlIdempotenceSettings;
  private readonly groupCommit: ResolvedGroupCommitOptions | null;
  private started = 0;
  /** Group-commit batches and retention purges of every endpoint of this store (telemetry listens). */
  readonly events = new IdempotenceEvents();

  constructor(
    readonly store: SqlStore,
    options: SqlIdempotenceOptions = {},
    logger?: ILogger,
  ) {
    const { groupCommit, flushLeaseMs = DEFAULT_FLUSH_LEASE_MS, ...retention } = options;
    if (!Number.isInteger(flushLeaseMs) || flushLeaseMs < 1) {
      throw new ConfigurationError('flushLeaseMs', `must be a positive integer of milliseconds (got ${flushLeaseMs})`);
    }
    this.settings = { retention: { windowMs: WEEK, ...retention }, flushLeaseMs };
    this.purger = new RetentionPurger(store, this.settings.retention, logger, (rows) => this.events.emit('rowsPurged', rows));
    this.groupCommit = groupCommit ? resolveGroupCommitOptions(groupCommit) : null;
    if (this.groupCommit && !store.dialect.groupCommit) {
      throw new ConfigurationError('groupCommit', `the ${store.database.dialect} store cannot group-commit (PostgreSQL and SQLite can)`);
    }
  }

  create(inboxWorkQueueUri: string): SqlIdempotenceService {
    const { onStart, onStop } = this.purgerShare();
    if (this.groupCommit) {
      return new GroupCommitIdempotenceService(this.store, inboxWorkQueueUri, this.settings, onStart, onStop, this.store.dialect.groupCommit!, this.groupCommit, this.events);
    }
    return new SqlIdempotenceService(this.store, inboxWorkQueueUri, this.settings, onStart, onStop, this.events);
  }

  /** The service behind an endpoint's transactional sessions (its rows keyed by `sessionKey`). */
  createSessionService(sessionKey: string): SqlSessionService {
    const { onStart, onStop } = this.purgerShare();
    return new SqlSessionService(this.store, sessionKey, this.settings, onStart, onStop, this.events);
  }

  /**
   * Healthy when the database answers a `SELECT 1` before `signal` aborts. It takes a pooled connection
   * like any statement: a pool exhausted for longer than the caller waits reads as unhealthy, which it is.
   */
  async checkHealth(signal: AbortSignal): Promise<HealthCheckResult> {
    const db = this.store.database;
    try {
      await abortable(db.query('SELECT 1 AS ok'), signal);
      return { healthy: true, detail: `${db.dialect} answered` };
    } catch (error) {
      return { healthy: false, detail: maskSecrets(`${db.dialect} did not answer: ${error instanceof Error ? error.message : String(error)}`) };
    }
  }

  /** A service's share in the purger: it runs while at least one service is started. */
  private purgerShare(): { onStart: () => Promise<void>; onStop: () => Promise<void> } {
    return {
      onStart: async () => {
        if (this.started++ === 0) this.purger.start();
      },
      onStop: async () => {
        if (--this.started === 0) await this.purger.stop();
      },
    };
  }

  /** Runs one purge pass now (tests, tooling). */
  purgeNow(now?: number): Promise<number> {
    return this.purger.purgeNow(now);
  }
}

/** `work`, or a rejection as soon as `signal` aborts (the work itself goes on and is ignored). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('no answer in time'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('no answer in time'));
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
