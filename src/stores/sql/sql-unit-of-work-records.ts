import { StoreError } from '../../errors/errors.js';
import type { IUnitOfWorkRecords, RecordTableName } from '../../idempotence/unit-of-work.js';
import { type HandleLease, refuseTransactionControl } from './handle-lease.js';
import type { SqlTransaction } from './sql-database.js';

/** The tables a dialect keeps for add-ons (SqlDialect.recordTables): qualified, validated names. */
export type RecordTables = { readonly [name in RecordTableName]: string };

/**
 * IUnitOfWork.records over a SQL unit of work's transaction. Statements go through `tx` — for a
 * group-commit member its MemberTransaction, which opens the member's savepoint first, so they roll back
 * with the member like the handler's own writes — and through the unit of work's lease: refused once it
 * has ended, counted while they run (a timed-out handler's statement is cancelled).
 */
export class SqlUnitOfWorkRecords implements IUnitOfWorkRecords {
  constructor(
    private readonly tx: SqlTransaction,
    private readonly lease: HandleLease,
    readonly dialect: 'sqlite' | 'postgres' | 'mssql',
    private readonly tables: RecordTables,
  ) {}

  table(name: RecordTableName): string {
    const table = Object.hasOwn(this.tables, name) ? this.tables[name] : undefined;
    if (table === undefined) throw new StoreError(`this SQL store keeps no table '${String(name)}'`);
    return table;
  }

  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.run(sql, () => this.tx.query<R>(sql, params));
  }

  execute(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.run(sql, () => this.tx.execute(sql, params));
  }

  private run<T>(sql: string, statement: () => Promise<T>): Promise<T> {
    try {
      this.lease.check();
      // The transaction is oncebus's: it commits or rolls back with the whole unit of work.
      refuseTransactionControl(sql);
      return this.lease.track(statement());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
