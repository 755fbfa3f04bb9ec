import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import type { HttpKeyRecord, KeyClaim, StoredResponse } from '../../src/http/persistence/http-key-store.js';
import { selectHttpKeyStore } from '../../src/http/persistence/select-http-key-store.js';
import type { RouteResponse } from '../../src/http/route-response.js';
import { addOncebus, createSilentLogger, type IServiceBus, type ITransactionalSession, MemoryBroker, MemoryIdempotenceStore, type MemoryTransaction, TYPES } from '../../src/index.js';
import type { PostgresStore, PostgresTransaction } from '../../src/stores/postgres/index.js';
import type { SqlIdempotenceStore, SqliteStore, SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { isCreateQueue } from '../../src/transport/queue.js';
import { messageType } from '../../src/messages/message-type.js';
import { openPostgresStore, openSqliteStore } from './sql-subjects.js';

/** What an idempotent order route sends, in its session. */
@messageType('http.PlaceOrder')
export class HttpPlaceOrder {
  constructor(public orderId = '') {}
}

export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** How the test steers one order's route: hold it mid-way, fail it once, answer a status of its choosing. */
interface RouteControl {
  hold?: { entered: () => void; release: Promise<void> };
  throwOnce?: boolean;
  status?: number;
}

/**
 * One store and a send-only "web" endpoint on it, with what the HTTP tests look at: the committed order rows,
 * the messages that reached the out queue, the key rows, and how many times each order's route ran.
 */
export class HttpWorld {
  readonly invocations = new Map<string, number>();
  private readonly controls = new Map<string, RouteControl>();
  private readonly memoryOrders: string[] = [];
  bus!: IServiceBus;
  private sqlIdempotence: SqlIdempotenceStore | null = null;

  private constructor(
    readonly kind: StoreKind,
    private readonly sql: ((PostgresStore | SqliteStore) & { dispose(): Promise<void> }) | null,
    readonly outUri: string,
  ) {}

  static async open(kind: StoreKind): Promise<HttpWorld> {
    const sql = kind === 'postgres' ? openPostgresStore() : kind === 'sqlite' ? openSqliteStore() : null;
    const outUri = kind === 'postgres' ? 'postgres://default/http-out' : kind === 'sqlite' ? 'sqlite://default/http-out' : 'memory://http-out';
    const world = new HttpWorld(kind, sql, outUri);
    const c = new Container();
    if (sql) {
      await sql.store.ready();
      await sql.database.execute(`CREATE TABLE ${world.ordersTable} (order_id text NOT NULL, session_id text NOT NULL)`);
      const out = sql.queues.create(outUri);
      if (isCreateQueue(out)) await out.create();
      world.sqlIdempotence = sql.idempotence();
      c.bind(TYPES.QueueFactory).toConstantValue(sql.queues);
      c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(world.sqlIdempotence);
    } else {
      c.bind(TYPES.QueueFactory).toConstantValue(new MemoryBroker());
      c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(new MemoryIdempotenceStore());
    }
    c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(c, { name: 'web', routes: [{ uri: outUri, specifications: [{ types: [HttpPlaceOrder] }] }], stopTimeout: '5s' });
    world.bus = c.get<IServiceBus>(TYPES.ServiceBus);
    await world.bus.start();
    return world;
  }

  get ordersTable(): string {
    return this.kind === 'postgres' ? `${(this.sql as PostgresStore).schema}.http_orders` : 'http_orders';
  }

  /** The route every test server mounts: writes the order, sends PlaceOrder, then does what the test armed. */
  async route(orderId: string, session: ITransactionalSession): Promise<RouteResponse> {
    this.invocations.set(orderId, (this.invocations.get(orderId) ?? 0) + 1);
    await this.writeOrder(session, orderId);
    await session.send(new HttpPlaceOrder(orderId));
    const control = this.controls.get(orderId);
    if (control?.hold) {
      const { entered, release } = control.hold;
      control.hold = undefined; // once: a later attempt runs straight through
      entered();
      await release;
    }
    if (control?.throwOnce) {
      control.throwOnce = false;
      throw new Error(`route failed for ${orderId}`);
    }
    if (control?.status !== undefined) return { status: control.status, body: { error: 'the payment provider is down', orderId } };
    // A nonce in the body and a header: a route that ran twice would answer different bytes.
    const nonce = randomUUID();
    return { status: 201, body: { orderId, nonce }, headers: { location: `/orders/${orderId}`, 'x-nonce': nonce, 'x-order-version': '1' } };
  }

  /** The next run of `orderId`'s route stops after its write and send until `release()`; `entered` resolves when it got there. */
  hold(orderId: string): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredP = new Promise<void>((r) => (entered = r));
    const releaseP = new Promise<void>((r) => (release = r));
    this.controls.set(orderId, { ...this.controls.get(orderId), hold: { entered, release: releaseP } });
    return { entered: enteredP, release };
  }

  throwOnce(orderId: string): void {
    this.controls.set(orderId, { ...this.controls.get(orderId), throwOnce: true });
  }

  answer(orderId: string, status: number): void {
    this.controls.set(orderId, { ...this.controls.get(orderId), status });
  }

  /** The committed order rows, as order ids. */
  async orders(): Promise<string[]> {
    if (!this.sql) return [...this.memoryOrders];
    const rows = await this.sql.database.query<{ order_id: string }>(`SELECT order_id FROM ${this.ordersTable} ORDER BY order_id`);
    return rows.map((r) => r.order_id);
  }

  /** Messages that reached the out queue (a session dispatches what it stored right after its commit). */
  sent(): Promise<number> {
    return this.bus.countMessages(this.outUri);
  }

  /** The key's row as it stands (read in a session of its own). */
  keyRow(scope: string, key: string): Promise<HttpKeyRecord | undefined> {
    return this.bus.withTransaction((session) => selectHttpKeyStore(session).find(session, scope, key));
  }

  /** Writes a 'running' row as another process would hold it (or had, before it died). */
  async holdKeyElsewhere(claim: KeyClaim): Promise<void> {
    const inserted = await this.bus.withTransaction((session) => selectHttpKeyStore(session).insert(session, claim));
    if (!inserted) throw new Error('the key was taken already');
  }

  /** Completes a key as the attempt that holds it would: true if it still held it. */
  complete(scope: string, key: string, attempt: string, response: StoredResponse): Promise<boolean> {
    return this.bus.withTransaction((session) => selectHttpKeyStore(session).complete(session, scope, key, attempt, response, Date.now()));
  }

  /** One pass of the SQL store's retention purge (which removes expired keys); memory sweeps on claims. */
  async purge(now: number): Promise<void> {
    await this.sqlIdempotence?.purgeNow(now);
  }

  /** The raw http_keys rows of a SQL store, column names as the schema has them. */
  async rawKeyRows(): Promise<Record<string, unknown>[]> {
    if (!this.sql) return [];
    const table = this.kind === 'postgres' ? `${(this.sql as PostgresStore).schema}.http_keys` : 'oncebus_http_keys';
    return this.sql.database.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY created_at`);
  }

  async dispose(): Promise<void> {
    await this.bus?.stop().catch(() => undefined);
    await this.sql?.dispose();
  }

  private async writeOrder(session: ITransactionalSession, orderId: string): Promise<void> {
    if (this.kind === 'postgres') {
      await (session.transaction as PostgresTransaction).query(`INSERT INTO ${this.ordersTable} (order_id, session_id) VALUES ($1, $2)`, [orderId, session.id]);
    } else if (this.kind === 'sqlite') {
      (session.transaction as SqliteTransaction).prepare(`INSERT INTO ${this.ordersTable} (order_id, session_id) VALUES (?, ?)`).run(orderId, session.id);
    } else {
      (session.transaction as MemoryTransaction).onCommit(() => this.memoryOrders.push(orderId));
    }
  }
}
