import type pg from 'pg';
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
import type { PostgresDatabase } from './postgres-database.js';
import type { postgresQueue } from './postgres-statements.js';

/** A taken row: its transaction stays open (holding the row lock) until acknowledge or release. */
interface Held {
  readonly client: pg.PoolClient;
  readonly id: string;
  settled: boolean;
}

/**
 * A queue table in PostgreSQL. Taking a message opens a transaction that locks the row (FOR UPDATE SKIP
 * LOCKED, so competing consumers take different rows); acknowledge deletes it and commits, release rolls
 * back. If the process dies, its connections close, the transactions roll back and the rows are visible
 * again at once: no lease to wait out. Deferred delivery is a due-time column, so no deferred queue is needed.
 */
export class PostgresQueue implements IQueue, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue, ISchedulingQueue, ITransactionalQueue {
  readonly supportsScheduledDelivery = true as const;
  private readonly held = new Set<Held>();

  constructor(
    readonly uri: string,
    private readonly db: PostgresDatabase,
    private readonly sql: ReturnType<typeof postgresQueue>,
    private readonly ready: () => Promise<unknown>,
  ) {}

  canEnlist(unitOfWork: IUnitOfWork): boolean {
    return unitOfWork instanceof SqlUnitOfWork && unitOfWork.storeId === this.db.id;
  }

  async enqueue(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void> {
    const params = [message.messageId, message.priority, message.ignoreTillDate, message.expiryDate, body];
    if (unitOfWork && this.canEnlist(unitOfWork)) await (unitOfWork as SqlUnitOfWork).tx.execute(this.sql.enqueue, params);
    else await this.db.execute(this.sql.enqueue, params);
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    const client = await this.db.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; body: Buffer }>(this.sql.take, [Date.now()]);
      const row = rows[0];
      if (!row) {
        await client.query('ROLLBACK');
        client.release();
        return null;
      }
      const held: Held = { client, id: row.id, settled: false };
      this.held.add(held);
      return { body: row.body, token: held };
    } catch (error) {
      client.release(true);
      throw this.db.wrap(error);
    }
  }

  async acknowledge(token: unknown): Promise<void> {
    const held = this.take(token);
    try {
      await held.client.query(this.sql.delete, [held.id]);
      await held.client.query('COMMIT');
      held.client.release();
    } catch (error) {
      // The connection broke: its transaction rolled back and the row is back in the queue.
      held.client.release(true);
      throw new TransportError(`acknowledge failed; the message will be redelivered: ${String(error)}`, { queueUri: this.uri, cause: error });
    }
  }

  async release(token: unknown): Promise<void> {
    const held = this.take(token);
    try {
      await held.client.query('ROLLBACK');
      held.client.release();
    } catch {
      held.client.release(true);
    }
  }

  async close(): Promise<void> {
    for (const held of [...this.held]) await this.release(held).catch(() => undefined);
  }

  async create(): Promise<void> {
    await this.ready();
    for (const statement of this.sql.createTable) {
      await this.db.execute(statement).catch((error: unknown) => {
        // Two processes creating one table at once: the loser sees a duplicate; the table exists either way.
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code !== '23505' && code !== '42P07') throw error;
      });
    }
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

  private take(token: unknown): Held {
    const held = token as Held;
    if (!this.held.has(held) || held.settled) {
      throw new TransportError('acknowledge/release of a message this queue does not hold (already settled?)', { queueUri: this.uri });
    }
    held.settled = true;
    this.held.delete(held);
    return held;
  }
}
