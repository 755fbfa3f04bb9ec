import { randomUUID } from 'node:crypto';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import { HeldDeliveries } from '../../transport/held-deliveries.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { ReceivedMessage } from '../../transport/queue.js';
import { SqlQueueBase } from '../sql/sql-queue-base.js';
import type { SqlDatabase } from '../sql/sql-database.js';
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
export class SqliteQueue extends SqlQueueBase {
  private readonly leases = new HeldDeliveries<Lease>();

  constructor(
    uri: string,
    queueName: string,
    db: SqlDatabase,
    private readonly sql: ReturnType<typeof sqliteQueue>,
    private readonly leaseMs: number,
    ready: () => Promise<unknown>,
    private readonly signal: { wait(ms: number): Promise<void>; notify(): void },
    checkTable?: () => Promise<void>,
  ) {
    super(uri, queueName, db, sql, ready, undefined, checkTable);
  }

  override async enqueue(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void> {
    await super.enqueue(message, body, unitOfWork);
    this.signal.notify();
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    if (!this.isOwned) await this.owned();
    const got = await this.tryTake();
    if (got) return got;
    await this.signal.wait(WAIT_MS);
    return this.tryTake();
  }

  async acknowledge(token: unknown): Promise<void> {
    const lease = this.leases.settle(token, this.uri);
    if ((await this.db.execute(this.sql.delete, [lease.id, lease.token])) !== 1) {
      throw new TransportError('acknowledge failed: the lease ran out and another consumer took the message', { queueUri: this.uri });
    }
  }

  async release(token: unknown): Promise<void> {
    const lease = this.leases.settle(token, this.uri);
    await this.db.execute(this.sql.unlock, [lease.id, lease.token]);
    this.signal.notify();
  }

  async close(): Promise<void> {
    for (const lease of this.leases.all()) await this.release(lease).catch(() => undefined);
  }


  private async tryTake(): Promise<ReceivedMessage | null> {
    const now = Date.now();
    const token = randomUUID();
    const [row] = await this.db.query<{ id: number; body: Buffer }>(this.sql.take, [now, now + this.leaseMs, token]);
    if (!row) return null;
    return { body: row.body, token: this.leases.add({ id: row.id, token, settled: false }) };
  }
}
