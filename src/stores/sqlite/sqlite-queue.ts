import { randomUUID } from 'node:crypto';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type {
  ICountQueue,
  ICreateQueue,
  IDropQueue,
  IPurgeQueue,
  IQueue,
  ISchedulingQueue,
  ITransactionalQueue,
  ReceivedMessage,
} from '../../transport/queue.js';
import { SqlUnitOfWork } from '../sql/sql-unit-of-work.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { sqliteQueue } from './sqlite-statements.js';

interface Lease {
  readonly id: number;
  readonly token: string;
  settled: boolean;
}

/** How long getMessage waits for an enqueue in this process before answering null. */
const WAIT_MS = 100;

/**
 * A queue table in SQLite. SQLite cannot hold a row lock outside a write transaction, so a taken message
 * is leased: `lock_token` marks who holds it until `locked_until`. Acknowledge deletes it (only with the
 * matching token), release clears the lease; a crashed consumer's lease runs out and the row is taken
 * again (`lease`, default 30 s). Deferred delivery is a due-time column.
 */
export class SqliteQueue implements IQueue, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue, ISchedulingQueue, ITransactionalQueue {
  readonly supportsScheduledDelivery = true as const;
  private readonly leases = new Set<Lease>();

  constructor(
    readonly uri: string,
    private readonly db: SqliteDatabase,
    private readonly sql: ReturnType<typeof sqliteQueue>,
    private readonly leaseMs: number,
    private readonly ready: () => Promise<unknown>,
    private readonly signal: { wait(ms: number): Promise<void>; notify(): void },
  ) {}

  canEnlist(unitOfWork: IUnitOfWork): boolean {
    return unitOfWork instanceof SqlUnitOfWork && unitOfWork.storeId === this.db.id;
  }

  async enqueue(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void> {
    const params = [message.messageId, message.priority, message.ignoreTillDate, message.expiryDate, body];
    if (unitOfWork && this.canEnlist(unitOfWork)) await (unitOfWork as SqlUnitOfWork).tx.execute(this.sql.enqueue, params);
    else await this.db.execute(this.sql.enqueue, params);
    this.signal.notify();
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    const got = await this.tryTake();
    if (got) return got;
    await this.signal.wait(WAIT_MS);
    return this.tryTake();
  }

  async acknowledge(token: unknown): Promise<void> {
    const lease = this.settle(token);
    if ((await this.db.execute(this.sql.delete, [lease.id, lease.token])) !== 1) {
      throw new TransportError('acknowledge failed: the lease ran out and another consumer took the message', { queueUri: this.uri });
    }
  }

  async release(token: unknown): Promise<void> {
    const lease = this.settle(token);
    await this.db.execute(this.sql.unlock, [lease.id, lease.token]);
    this.signal.notify();
  }

  async close(): Promise<void> {
    for (const lease of [...this.leases]) await this.release(lease).catch(() => undefined);
  }

  async create(): Promise<void> {
    await this.ready();
    for (const statement of this.sql.createTable) await this.db.execute(statement);
  }

  async purge(): Promise<void> {
    await this.db.execute(this.sql.purge);
  }

  async drop(): Promise<void> {
    await this.db.execute(this.sql.drop);
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(this.sql.count);
    return row?.n ?? 0;
  }

  private async tryTake(): Promise<ReceivedMessage | null> {
    const now = Date.now();
    const token = randomUUID();
    const [row] = await this.db.query<{ id: number; body: Buffer }>(this.sql.take, [now, now + this.leaseMs, token]);
    if (!row) return null;
    const lease: Lease = { id: row.id, token, settled: false };
    this.leases.add(lease);
    return { body: row.body, token: lease };
  }

  private settle(token: unknown): Lease {
    const lease = token as Lease;
    if (!this.leases.has(lease) || lease.settled) {
      throw new TransportError('acknowledge/release of a message this queue does not hold (already settled?)', { queueUri: this.uri });
    }
    lease.settled = true;
    this.leases.delete(lease);
    return lease;
  }
}
