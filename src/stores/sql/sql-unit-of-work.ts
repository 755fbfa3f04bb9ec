import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { SqlTransaction } from './sql-database.js';

/**
 * One inbound message's transaction against a SQL store. `transaction` is the driver's handle, so the
 * handler's own writes go through the same connection and commit with the claim and the stored sends.
 */
export class SqlUnitOfWork<TNative = unknown> implements IUnitOfWork<TNative> {
  /** Send order of the stored messages of this unit of work. */
  nextSequence = 0;

  constructor(
    readonly tx: SqlTransaction,
    readonly storeId: string,
  ) {}

  get transaction(): TNative {
    return this.tx.native as TNative;
  }

  commit(): Promise<void> {
    return this.tx.commit();
  }

  rollback(): Promise<void> {
    return this.tx.rollback();
  }
}
