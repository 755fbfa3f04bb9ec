import type { IUnitOfWork, IUnitOfWorkRecords } from '../../idempotence/unit-of-work.js';
import { HandleLease } from './handle-lease.js';
import type { SqlTransaction } from './sql-database.js';
import { type RecordTables, SqlUnitOfWorkRecords } from './sql-unit-of-work-records.js';

/** Where a unit of work's add-on rows live (IUnitOfWork.records): the database's dialect and the dialect's tables. */
export interface RecordsSource {
  readonly dialect: 'sqlite' | 'postgres' | 'mssql';
  readonly tables: RecordTables;
}

/**
 * One inbound message's transaction against a SQL store. `transaction` is the driver's handle (guarded:
 * see HandleLease), so the handler's own writes go through the same connection and commit with the claim
 * and the stored sends — and none can land after the unit of work has ended.
 */
export class SqlUnitOfWork<TNative = unknown> implements IUnitOfWork<TNative> {
  /** Send order of the stored messages of this unit of work. */
  nextSequence = 0;
  readonly lease = new HandleLease();
  /** Present when the dialect keeps add-on tables (SqlDialect.recordTables). */
  readonly records: IUnitOfWorkRecords | undefined;
  private guarded: TNative | undefined;

  constructor(
    readonly tx: SqlTransaction,
    readonly storeId: string,
    /** The store's reading of its driver's errors (SqlDatabase.isConnectionFailure). */
    private readonly connectionFailure?: (error: unknown) => boolean,
    records?: RecordsSource,
  ) {
    this.records = records ? new SqlUnitOfWorkRecords(tx, this.lease, records.dialect, records.tables) : undefined;
  }

  isConnectionFailure(error: unknown): boolean {
    return this.connectionFailure?.(error) ?? false;
  }

  get transaction(): TNative {
    this.guarded ??= this.tx.handle(this.lease) as TNative;
    return this.guarded;
  }

  within<T>(run: () => T): T {
    return this.tx.within ? this.tx.within(run) : run();
  }

  abandon(): void {
    this.lease.open = false;
  }

  commit(): Promise<void> {
    this.lease.open = false;
    return this.tx.commit();
  }

  async rollback(): Promise<void> {
    this.lease.open = false;
    // A handler given up (timed out) may have a statement still running: cancel it rather than wait.
    if (this.lease.inFlight > 0) await this.tx.cancelRunning?.().catch(() => undefined);
    return this.tx.rollback();
  }
}
