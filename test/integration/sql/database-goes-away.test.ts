import 'reflect-metadata';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import type pg from 'pg';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, MemoryBroker, OncebusError, TYPES } from '../../../src/index.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { requireService } from '../../support/integration.js';
import { eventually, waitForEvents } from '../../support/latch.js';
import { PlaceOrder } from '../../support/messages.js';
import { canControlPostgres, startPostgres, stopPostgres } from '../../support/postgres-control.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

let schema = '';

@handlesMessage(PlaceOrder)
class WritingHandler implements IMessageHandler<PlaceOrder, pg.PoolClient> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient>): Promise<void> {
    await ctx.transaction.query(`INSERT INTO ${schema}.business (message_id) VALUES ($1)`, [ctx.transportMessage.messageId]);
  }
}

describe('the database itself fails', function () {
  this.timeout(60_000);

  it('unreachable at start: start() fails with a StoreError naming the connection, password hidden', async () => {
    const store = new PostgresStore({ connectionString: 'postgres://oncebus:s3cret@127.0.0.1:1/oncebus', connectTimeoutMs: 1000 });
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(new MemoryBroker());
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
    container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(container, { inbox: { workQueueUri: 'memory://gone', errorQueueUri: 'memory://gone-error', durationToIgnoreOnFailure: ['0ms'] }, idempotence: true });
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    let error: unknown;
    await bus.start().catch((e: unknown) => {
      error = e;
    });
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_STORE');
    expect((error as Error).message).to.include('postgres://oncebus:***@127.0.0.1:1/oncebus');
    expect((error as Error).message).to.not.include('s3cret');
    expect(bus.started).to.equal(false);
    await store.close();
  });

  describe('lost mid-run (PostgreSQL stopped under a running endpoint)', () => {
    before(async function () {
      requireService(this, 'PostgreSQL', await postgresAvailable());
      requireService(this, 'control of the local PostgreSQL server', canControlPostgres(), 'needs root and a local Debian cluster');
    });
    after(() => {
      // Whatever happened, leave the server running for the suites after this one.
      startPostgres();
    });

    for (const groupCommit of [false, true]) {
    it(`releases messages instead of losing or acknowledging them, and resumes by itself when the database is back${groupCommit ? ' (group commit)' : ''}`, async () => {
      schema = `gone_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
      const store = new PostgresStore({ connectionString: PG_URL, schema, connectTimeoutMs: 1000 });
      await store.store.ready();
      await store.database.execute(`CREATE TABLE ${schema}.business (message_id text NOT NULL)`);
      const broker = new MemoryBroker();
      const container = new Container();
      container.bind(TYPES.QueueFactory).toConstantValue(broker);
      container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ groupCommit }));
      container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
      addOncebus(container, {
        inbox: { workQueueUri: 'memory://outage', errorQueueUri: 'memory://outage-error', durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['20ms', '100ms', '250ms'] },
        handlers: [WritingHandler],
        idempotence: true,
      });
      const bus = container.get<IServiceBus>(TYPES.ServiceBus);
      await bus.start();
      try {
        const first = waitForEvents(bus.events, 'messageHandled');
        await bus.send(new PlaceOrder('before'), { local: true });
        await first;

        stopPostgres();
        const released = waitForEvents(bus.events, 'messageReleased', 3, () => true, 20_000);
        const sent = [];
        for (let i = 0; i < 5; i++) sent.push(await bus.send(new PlaceOrder(`during-${i}`), { local: true }));
        await released;
        // Released, not acknowledged: every message is still in the queue, none in the error queue.
        expect(broker.stateOf('memory://outage').ready.length + broker.stateOf('memory://outage').inFlight.size).to.equal(5);
        expect(broker.stateOf('memory://outage-error').ready.length).to.equal(0);

        startPostgres();
        await eventually(async () => (await store.database.query(`SELECT 1 FROM ${schema}.business`).catch(() => [])).length === 6, 'all six business rows exist', 30_000);
        const rows = await store.database.query<{ message_id: string }>(`SELECT message_id FROM ${schema}.business`);
        for (const m of sent) expect(rows.filter((r) => r.message_id === m.messageId)).to.have.length(1);
        expect(broker.stateOf('memory://outage-error').ready.length).to.equal(0);
      } finally {
        await bus.stop();
        await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await store.close();
      }
    });
    }
  });
});

describe('a PostgreSQL restart while a unit of work holds a connection', function () {
  this.timeout(60_000);
  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    requireService(this, 'control of the local PostgreSQL server', canControlPostgres(), 'needs root and a local Debian cluster');
  });
  after(() => startPostgres());

  it('does not crash the process: the open transaction fails with a StoreError, and new ones work after the restart', async () => {
    const store = new PostgresStore({ connectionString: PG_URL, schema: `held_${randomUUID().replace(/-/g, '').slice(0, 8)}`, connectTimeoutMs: 1000 });
    await store.store.ready();
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const tx = await store.database.begin();
      await tx.query('SELECT 1');
      stopPostgres();
      startPostgres();
      // Give the dead socket's 'error' event time to fire (it would have crashed the process before).
      await new Promise((r) => setTimeout(r, 300));
      let error: unknown;
      await tx.query('SELECT 1').catch((e: unknown) => {
        error = e;
      });
      await tx.rollback();
      expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_STORE');
      expect(uncaught).to.deep.equal([]);
      await eventually(async () => (await store.database.query<{ one: number }>('SELECT 1 AS one').catch(() => []))[0]?.one === 1, 'a new query works');
    } finally {
      process.off('uncaughtException', onUncaught);
      await store.database.execute(`DROP SCHEMA IF EXISTS ${store.schema} CASCADE`).catch(() => undefined);
      await store.close();
    }
  });
});
