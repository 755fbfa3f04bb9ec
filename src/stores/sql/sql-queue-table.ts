import type { TransportMessage } from '../../envelope/transport-message.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { SqlDatabase } from './sql-database.js';
import type { QueueStatements } from './sql-statements.js';
import { SqlUnitOfWork } from './sql-unit-of-work.js';

/**
 * What every SQL queue does the same way, whatever its receive strategy (row locks or leases): insert a
 * row (inside the handler's unit of work when it is of this database), purge, drop and count the table.
 */
export class SqlQueueTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly sql: QueueStatements,
  ) {}

  canEnlist(unitOfWork: IUnitOfWork): boolean {
    return unitOfWork instanceof SqlUnitOfWork && unitOfWork.storeId === this.db.id;
  }

  async insert(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void> {
    const params = [message.messageId, message.priority, message.ignoreTillDate, message.expiryDate, body];
    if (unitOfWork && this.canEnlist(unitOfWork)) await (unitOfWork as SqlUnitOfWork).tx.execute(this.sql.enqueue, params);
    else await this.db.execute(this.sql.enqueue, params);
  }

  async purge(): Promise<void> {
    await this.db.execute(this.sql.purge);
  }

  async drop(): Promise<void> {
    await this.db.execute(this.sql.drop);
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number | string }>(this.sql.count);
    return Number(row?.n ?? 0);
  }
}
