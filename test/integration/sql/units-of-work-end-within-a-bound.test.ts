import { expect } from 'chai';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { TYPES } from '../../../src/di/tokens.js';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { OncebusError } from '../../../src/errors/errors.js';
import { handlesMessage } from '../../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../../src/handling/message-handler.js';
import { ProcessingStatus } from '../../../src/idempotence/idempotence-service.js';
import type { IIdempotenceServiceFactory } from '../../../src/idempotence/idempotence-service-factory.js';
import { requireService } from '../../support/integration.js';
import { waitForEvents } from '../../support/latch.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { PlaceOrder } from '../../support/messages.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

let schema = '';
/** What a handler that outlived its unit of work got when it used its transaction afterwards. */
const lateUse: string[] = [];
let kept: unknown = null;

/**
 * By order id: 'hang' never returns and ignores its signal; 'sleep' runs a statement that would take 30 s;
 * 'late' waits for its signal, then tries to write; 'commit' tries to COMMIT the unit of work's transaction;
 * 'keep' keeps its transaction for later; anything else writes its row.
 */
@handlesMessage(PlaceOrder)
class Misbehaves implements IMessageHandler<PlaceOrder, pg.PoolClient> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient>): Promise<void> {
    const id = ctx.message.orderId;
    if (id === 'hang') await new Promise(() => undefined);
    if (id === 'sleep') await ctx.transaction.query('SELECT pg_sleep(30)');
    if (id === 'late') {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      await ctx.transaction.query(`INSERT INTO ${schema}.business (order_id) VALUES ('late')`).then(
        () => lateUse.push('written'),
        (e: unknown) => lateUse.push(OncebusError.is(e) ? e.code : String(e)),
      );
      return;
    }
    if (id === 'commit') await ctx.transaction.query('COMMIT');
    if (id === 'keep') kept = ctx.transaction;
    await ctx.transaction.query(`INSERT INTO ${schema}.business (order_id) VALUES ($1)`, [id]);
  }
}

describe('units of work end within a bound on PostgreSQL: hung handlers fail their own message, and their transaction refuses them', function () {
  this.timeout(60_000);
  let store: ReturnType<typeof openPostgresStore> | null = null;

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    store = openPostgresStore();
    schema = store.schema;
    await store.store.ready();
    await store.database.execute(`CREATE TABLE ${schema}.business (order_id text NOT NULL)`);
  });
  after(() => store?.dispose());

  async function rows(): Promise<string[]> {
    return (await store!.database.query<{ order_id: string }>(`SELECT order_id FROM ${schema}.business ORDER BY order_id`)).map((r) => r.order_id);
  }

  function endpoint(world: MemoryWorld, name: string, factory: IIdempotenceServiceFactory, extra: Record<string, unknown> = {}) {
    return world.endpoint(
      name,
      {
        handlers: [Misbehaves],
        idempotence: true,
        handlerTimeout: '500ms',
        ...extra,
        inbox: { workQueueUri: `memory://${name}`, errorQueueUri: `memory://${name}-error`, threadCount: 8, maximumFailureCount: 1 },
      },
      [],
      (c) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(factory),
    );
  }

  for (const groupCommit of [false, true]) {
    it(`times out a handler that hangs and one stuck in a statement (cancelled), and commits the others${groupCommit ? ' in the same batches (group commit)' : ''}`, async () => {
      await store!.database.execute(`DELETE FROM ${schema}.business`);
      const world = new MemoryWorld();
      const { bus } = endpoint(world, `bound-${groupCommit}`, store!.idempotence({ groupCommit }));
      await bus.start();
      try {
        const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 2, () => true, 10_000);
        const handled = waitForEvents(bus.events, 'messageHandled', 4, () => true, 10_000);
        for (const id of ['a', 'hang', 'b', 'sleep', 'c', 'd']) await bus.send(new PlaceOrder(id), { local: true });
        await handled;
        const reasons = (await failed).map(([tm]) => tm.failureMessages.at(-1) ?? '');
        expect(reasons.every((r) => /HandlerTimeoutError/.test(r)), reasons.join('\n')).to.equal(true);
        expect(await rows()).to.deep.equal(['a', 'b', 'c', 'd']);
      } finally {
        await world.stopAll();
      }
    });
  }

  it('refuses a statement from a handler that carries on after its timeout: nothing lands in another message’s transaction', async () => {
    await store!.database.execute(`DELETE FROM ${schema}.business`);
    const world = new MemoryWorld();
    const { bus } = endpoint(world, 'bound-late', store!.idempotence({ groupCommit: true }));
    await bus.start();
    try {
      const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 10_000);
      await bus.send(new PlaceOrder('late'), { local: true });
      await bus.send(new PlaceOrder('x'), { local: true });
      await failed;
      await waitForEvents(bus.events, 'messageHandled', 1, () => true, 10_000).catch(() => null);
      expect(lateUse).to.deep.equal(['ONCEBUS_TRANSACTION_MISUSE']);
      expect(await rows()).to.not.include('late');
    } finally {
      await world.stopAll();
    }
  });

  for (const groupCommit of [false, true]) {
    it(`refuses a COMMIT from a handler (the message fails, nothing of it commits), and a transaction kept past its handler${groupCommit ? ' (group commit: the shared batch is not broken)' : ''}`, async () => {
      await store!.database.execute(`DELETE FROM ${schema}.business`);
      const world = new MemoryWorld();
      const { bus } = endpoint(world, `bound-commit-${groupCommit}`, store!.idempotence({ groupCommit }));
      await bus.start();
      try {
        const failed = waitForEvents(bus.events, 'messageSentToErrorQueue');
        const handled = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new PlaceOrder('commit'), { local: true });
        const [[copy]] = await failed;
        expect(copy.failureMessages.at(-1)).to.match(/TransactionMisuseError: a handler may not run 'COMMIT'/);
        await bus.send(new PlaceOrder('keep'), { local: true });
        await handled;
        let error: unknown;
        await (kept as pg.PoolClient).query('SELECT 1').catch((e: unknown) => (error = e));
        expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_TRANSACTION_MISUSE');
        expect(await rows()).to.deep.equal(['keep']);
      } finally {
        await world.stopAll();
      }
    });
  }

  it('rolls back the unit of work of a handler that ignores its signal when stop() gives up on it: no transaction outlives stop()', async () => {
    const world = new MemoryWorld();
    const factory = store!.idempotence();
    const { bus } = endpoint(world, 'bound-stop', factory, { stopTimeout: '200ms', handlerTimeout: '1h' });
    await bus.start();
    const released = waitForEvents(bus.events, 'messageReleased');
    const sent = await bus.send(new PlaceOrder('hang'), { local: true });
    await new Promise((r) => setTimeout(r, 100)); // the handler is running
    await bus.stop();
    await released;
    // The claim is free: a new unit of work claims the message at once instead of waiting on it.
    const svc = factory.create('memory://bound-stop');
    const uow = await svc.beginUnitOfWork();
    const tm = Object.assign(emptyTransportMessage(), { messageId: sent.messageId, messageType: sent.messageType });
    const status = await Promise.race([svc.processingStatus(tm, uow), new Promise((r) => setTimeout(() => r('waiting on the claim'), 3000))]);
    await uow.rollback();
    expect(status).to.equal(ProcessingStatus.Assigned);
  });

  it('ends a session idle in a transaction after idleInTransactionTimeoutMs (set on every connection)', async () => {
    const [row] = await store!.database.query<Record<string, string>>('SHOW idle_in_transaction_session_timeout');
    expect(Object.values(row!)[0]).to.equal('2min');
  });
});

describe('units of work end within a bound on SQLite: the one connection is never used by a handler outside its unit of work', function () {
  this.timeout(30_000);
  let store: ReturnType<typeof openSqliteStore>;
  let keptDb: Database.Database | null = null;

  @handlesMessage(PlaceOrder)
  class SqliteMisbehaves implements IMessageHandler<PlaceOrder, Database.Database> {
    async handle(ctx: IHandlerContext<PlaceOrder, Database.Database>): Promise<void> {
      const id = ctx.message.orderId;
      if (id === 'commit') ctx.transaction.exec('COMMIT');
      if (id === 'keep') keptDb = ctx.transaction;
      if (id === 'hang') await new Promise(() => undefined);
      ctx.transaction.prepare('INSERT INTO business (order_id) VALUES (?)').run(id);
    }
  }

  before(async () => {
    store = openSqliteStore();
    await store.store.ready();
    store.database.native.exec('CREATE TABLE business (order_id TEXT NOT NULL)');
  });
  after(() => store.dispose());

  it('times out a hung handler (its transaction rolls back and the mutex is free for the others), refuses COMMIT and a kept handle', async () => {
    const world = new MemoryWorld();
    const { bus } = world.endpoint(
      'sqlite-bound',
      {
        handlers: [SqliteMisbehaves],
        idempotence: true,
        handlerTimeout: '300ms',
        inbox: { workQueueUri: 'memory://sqlite-bound', errorQueueUri: 'memory://sqlite-bound-error', maximumFailureCount: 1 },
      },
      [],
      (c) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence()),
    );
    await bus.start();
    try {
      const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 2, () => true, 10_000);
      const handled = waitForEvents(bus.events, 'messageHandled', 2, () => true, 10_000);
      for (const id of ['hang', 'commit', 'a', 'keep']) await bus.send(new PlaceOrder(id), { local: true });
      await handled;
      const reasons = (await failed).map(([tm]) => tm.failureMessages.at(-1) ?? '').sort();
      expect(reasons[0]).to.match(/HandlerTimeoutError/);
      expect(reasons[1]).to.match(/TransactionMisuseError: a handler may not run 'COMMIT'/);
      expect(() => keptDb!.prepare('SELECT 1')).to.throw(/unit of work's transaction has ended/);
      const rows = store.database.native.prepare('SELECT order_id FROM business ORDER BY order_id').all() as { order_id: string }[];
      expect(rows.map((r) => r.order_id)).to.deep.equal(['a', 'keep']);
    } finally {
      await world.stopAll();
    }
  });
});
