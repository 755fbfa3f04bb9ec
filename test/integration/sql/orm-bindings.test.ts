import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { text as pgText, pgSchema } from 'drizzle-orm/pg-core';
import { text as sqliteText, sqliteTable } from 'drizzle-orm/sqlite-core';
import type { Container } from 'inversify';
import knexFactory, { type Knex } from 'knex';
import { TYPES } from '../../../src/di/tokens.js';
import { handlesMessage } from '../../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../../src/handling/message-handler.js';
import type { ITransactionalSession } from '../../../src/index.js';
import { drizzleOnPostgres, drizzleOnSqlite } from '../../../src/orm/drizzle.js';
import { knexOn } from '../../../src/orm/knex.js';
import type { PostgresStore, PostgresTransaction } from '../../../src/stores/postgres/index.js';
import type { SqliteStore, SqliteTransaction } from '../../../src/stores/sqlite/index.js';
import { messageType } from '../../../src/messages/message-type.js';
import { TestHarness } from '../../../src/testing/index.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

@messageType('orm.RecordOrder')
class RecordOrder {
  constructor(public orderId = '') {}
}

@messageType('orm.OrderRecorded')
class OrderRecorded {
  constructor(public orderId = '') {}
}

/** How one ORM writes an order row in a transaction, per store kind. */
interface Binding {
  readonly name: string;
  write(transaction: unknown, orderId: string): Promise<void>;
}

/** The world of one test: a store, its orders table, and the two ORMs' bindings for it. */
interface Subject {
  readonly kind: 'sqlite' | 'postgres';
  readonly store: SqliteStore | PostgresStore;
  readonly bindings: Binding[];
  rows(): Promise<string[]>;
  dispose(): Promise<void>;
}

async function sqliteSubject(): Promise<Subject> {
  const store = openSqliteStore();
  await store.store.ready();
  await store.database.execute('CREATE TABLE orm_orders (order_id TEXT NOT NULL)');
  const orders = sqliteTable('orm_orders', { orderId: sqliteText('order_id').notNull() });
  const knex = knexFactory({ client: 'better-sqlite3', useNullAsDefault: true, connection: { filename: ':memory:' } });
  return {
    kind: 'sqlite',
    store,
    bindings: [
      { name: 'Drizzle', write: async (tx, orderId) => void drizzleOnSqlite(tx as SqliteTransaction).insert(orders).values({ orderId }).run() },
      { name: 'Knex', write: async (tx, orderId) => void (await knexOn(knex, tx as SqliteTransaction)('orm_orders').insert({ order_id: orderId })) },
    ],
    rows: async () => (await store.database.query<{ order_id: string }>('SELECT order_id FROM orm_orders ORDER BY order_id')).map((r) => r.order_id),
    dispose: async () => {
      await knex.destroy();
      await store.dispose();
    },
  };
}

async function postgresSubject(): Promise<Subject> {
  const store = openPostgresStore();
  await store.store.ready();
  const schema = store.schema;
  await store.database.execute(`CREATE TABLE ${schema}.orm_orders (order_id text NOT NULL)`);
  const orders = pgSchema(schema).table('orm_orders', { orderId: pgText('order_id').notNull() });
  const knex: Knex = knexFactory({ client: 'pg' });
  return {
    kind: 'postgres',
    store,
    bindings: [
      { name: 'Drizzle', write: async (tx, orderId) => void (await drizzleOnPostgres(tx as PostgresTransaction).insert(orders).values({ orderId })) },
      { name: 'Knex', write: async (tx, orderId) => void (await knexOn(knex, tx as PostgresTransaction)('orm_orders').withSchema(schema).insert({ order_id: orderId })) },
    ],
    rows: async () => (await store.database.query<{ order_id: string }>(`SELECT order_id FROM ${schema}.orm_orders ORDER BY order_id`)).map((r) => r.order_id),
    dispose: async () => {
      await knex.destroy();
      await store.dispose();
    },
  };
}

/** Which binding the handlers use, and which orders fail after their write (once, or always). */
const current: { binding: Binding | null; failOnce: Set<string>; failAlways: Set<string> } = { binding: null, failOnce: new Set(), failAlways: new Set() };

@handlesMessage(RecordOrder)
class RecordOrderHandler implements IMessageHandler<RecordOrder, unknown> {
  async handle(ctx: IHandlerContext<RecordOrder, unknown>): Promise<void> {
    const { orderId } = ctx.message;
    await current.binding!.write(ctx.transaction, orderId);
    await ctx.send(new OrderRecorded(orderId));
    if (current.failAlways.has(orderId)) throw new Error(`order ${orderId} fails after its write`);
    if (current.failOnce.delete(orderId)) throw new Error(`order ${orderId} fails once after its write`);
  }
}

const recorded: string[] = [];
@handlesMessage(OrderRecorded)
class RecordedHandler implements IMessageHandler<OrderRecorded> {
  handle(ctx: IHandlerContext<OrderRecorded>): void {
    recorded.push(ctx.message.orderId);
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  for (const bindingName of ['Drizzle', 'Knex']) {
    describe(`${bindingName} in oncebus's transaction on ${kind} (oncebus/${bindingName.toLowerCase()})`, function () {
      this.timeout(30_000);
      let subject: Subject;
      let harness: TestHarness;

      beforeEach(async function () {
        if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
        subject = kind === 'sqlite' ? await sqliteSubject() : await postgresSubject();
        current.binding = subject.bindings.find((b) => b.name === bindingName)!;
        current.failOnce = new Set();
        current.failAlways = new Set();
        recorded.length = 0;
        harness = new TestHarness();
      });
      afterEach(async () => {
        await harness?.stop();
        await subject?.dispose();
      });

      /** The orders endpoint on the subject's store (with group commit when asked), a recorder, and a client. */
      async function start(groupCommit = false) {
        const onStore = (c: Container) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(subject.store.idempotence(groupCommit ? { groupCommit: { lanes: 1 } } : {}));
        const routes = [{ uri: 'memory://recorded', specifications: [{ types: [OrderRecorded] }] }];
        harness.endpoint('orders', { handlers: [RecordOrderHandler], idempotence: true, routes, inbox: { threadCount: 4, maximumFailureCount: 2, durationToIgnoreOnFailure: ['0ms'] } }, onStore);
        harness.endpoint('recorded', { handlers: [RecordedHandler] });
        const client = harness.endpoint('client', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [RecordOrder] }] }] });
        const web = harness.endpoint('web', { inbox: undefined, routes: [{ uri: 'memory://orders', specifications: [{ types: [RecordOrder] }] }] }, onStore);
        await harness.start();
        return { client, web };
      }

      it("a handler's write commits with its message: a failed attempt's write rolls back, a duplicate writes nothing", async () => {
        const { client } = await start();
        current.failOnce.add('H-2');
        current.failAlways.add('H-3');
        await client.send(new RecordOrder('H-1'), { messageId: 'h-1' });
        await client.send(new RecordOrder('H-1'), { messageId: 'h-1' }); // a duplicate
        await client.send(new RecordOrder('H-2'));
        await client.send(new RecordOrder('H-3'));
        await harness.settled();
        expect(await subject.rows(), 'H-1 once, H-2 once (its failed attempt rolled back), H-3 never').to.deep.equal(['H-1', 'H-2']);
        expect(recorded.sort(), 'the sends went with the writes').to.deep.equal(['H-1', 'H-2']);
        expect(harness.errorQueue('orders').map((tm) => tm.messageType)).to.deep.equal(['orm.RecordOrder']);
      });

      it("a session's write commits with its messages, or rolls back with them", async () => {
        const { web } = await start();
        await web.withTransaction(async (session: ITransactionalSession) => {
          await current.binding!.write(session.transaction, 'S-1');
          await session.send(new RecordOrder('S-1b'));
        });
        const error = await web
          .withTransaction(async (session: ITransactionalSession) => {
            await current.binding!.write(session.transaction, 'S-2');
            await session.send(new RecordOrder('S-2b'));
            throw new Error('the session changes its mind');
          })
          .catch((e: unknown) => e as Error);
        expect(error?.message).to.equal('the session changes its mind');
        await harness.settled();
        expect(await subject.rows(), "S-1 and its message's S-1b; nothing of S-2").to.deep.equal(['S-1', 'S-1b']);
      });

      it("with group commit each handler's write lands in its own savepoint: a failing member's write goes, the batch's others commit", async () => {
        const { client } = await start(true);
        current.failAlways.add('G-3');
        await Promise.all(['G-1', 'G-2', 'G-3', 'G-4', 'G-5'].map((id) => client.send(new RecordOrder(id), { messageId: `g-${id}-${randomUUID()}` })));
        await harness.settled();
        expect(await subject.rows()).to.deep.equal(['G-1', 'G-2', 'G-4', 'G-5']);
        expect(recorded.sort()).to.deep.equal(['G-1', 'G-2', 'G-4', 'G-5']);
      });
    });
  }
}
