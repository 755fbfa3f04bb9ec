import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { TYPES } from '../../../src/di/tokens.js';
import { handlesMessage } from '../../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../../src/handling/message-handler.js';
import { PostgresDatabase } from '../../../src/stores/postgres/index.js';
import { requireService } from '../../support/integration.js';
import { waitForEvents } from '../../support/latch.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { PlaceOrder } from '../../support/messages.js';
import { openPostgresStore, PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

/** A login role allowed one connection at a time: a second one gets 53300 from the server itself. */
const role = `oncebus_starved_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const password = randomUUID();
const starvedUrl = (() => {
  const url = new URL(PG_URL);
  url.username = role;
  url.password = password;
  return url.href;
})();

/** Holds the role's only connection while a test wants the server to refuse the next one. */
let holder: pg.Client | null = null;
const failuresSeen: number[] = [];
const refusals: unknown[] = [];

/** On its first run the handler opens a connection of its own while the role's only slot is taken. */
@handlesMessage(PlaceOrder)
class StarvedOfConnectionsOnce implements IMessageHandler<PlaceOrder, pg.PoolClient> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient>): Promise<void> {
    failuresSeen.push(ctx.transportMessage.failureMessages.length);
    await ctx.transaction.query('SELECT 1');
    if (failuresSeen.length > 1) return;
    const client = new pg.Client({ connectionString: starvedUrl });
    try {
      await client.connect();
    } catch (error) {
      refusals.push(error);
      throw error; // the driver's error, unwrapped, as a handler lets it through
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// A server with no connection to spare (53300 too_many_connections: max_connections, reserved slots, or a
// role's CONNECTION LIMIT) is the infrastructure's state, not the message's fault: the store reads it as a
// connection failure, so the message is released and not counted. It used to be counted as the handler's
// failure, and under connection starvation messages went through their retries into the error queue.
describe('PostgreSQL refusing a connection for too many connections (53300)', function () {
  this.timeout(30_000);
  let store: ReturnType<typeof openPostgresStore> | null = null;

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    if (process.env.PG_POOLER) {
      console.log('      skipped: PG_POOLER is set; the pooler, not the server, would answer for a role it does not know');
      this.skip();
    }
    const probe = new pg.Client({ connectionString: PG_URL });
    await probe.connect();
    const { rows } = await probe.query<{ can: boolean }>('SELECT rolcreaterole OR rolsuper AS can FROM pg_roles WHERE rolname = current_user');
    await probe.end();
    if (!rows[0]?.can) {
      console.log('      skipped: the PG_URL user has neither CREATEROLE nor superuser, so no role with a CONNECTION LIMIT can be made');
      this.skip();
    }
    await asAdmin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' CONNECTION LIMIT 1`);
    holder = new pg.Client({ connectionString: starvedUrl });
    await holder.connect();
    store = openPostgresStore();
  });

  after(async () => {
    await holder?.end().catch(() => undefined);
    await store?.dispose();
    await asAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`).catch(() => undefined);
    await asAdmin(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  it('the store reads the refused connection as a connection failure, not the statement’s', async () => {
    const database = new PostgresDatabase({ connectionString: starvedUrl, connectTimeoutMs: 3000 });
    try {
      let error: unknown;
      await database.query('SELECT 1').catch((e: unknown) => (error = e));
      const cause = (error as { cause?: { code?: string } }).cause;
      expect(cause?.code, 'the server itself refused: too many connections').to.equal('53300');
      expect(database.isConnectionFailure(cause)).to.equal(true);
      expect((error as { hint?: string }).hint, 'the hint names the limit, not a server down').to.contain('no connection to spare');
    } finally {
      await database.close();
    }
  });

  it('a handler refused that way: its message is released and handled again with no failure counted', async () => {
    failuresSeen.length = 0;
    refusals.length = 0;
    const world = new MemoryWorld();
    const name = 'starved-handler';
    const { bus } = world.endpoint(
      name,
      { handlers: [StarvedOfConnectionsOnce], idempotence: true, inbox: { workQueueUri: `memory://${name}`, errorQueueUri: `memory://${name}-error`, maximumFailureCount: 1, durationToIgnoreOnFailure: ['0ms'] } },
      [],
      (c) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store!.idempotence()),
    );
    const retried: unknown[] = [];
    bus.events.on('messageRetried', (tm) => retried.push(tm));
    bus.events.on('messageSentToErrorQueue', (tm) => retried.push(tm));
    await bus.start();
    try {
      // Whichever comes first: handled, or (the defect) moved to the error queue after its one allowed failure.
      const outcome = Promise.race([
        waitForEvents(bus.events, 'messageHandled', 1, () => true, 20_000).then(() => 'handled', () => 'timed out'),
        waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 20_000).then(() => 'error queue', () => 'timed out'),
      ]);
      await bus.send(new PlaceOrder('starved'), { local: true });
      expect(await outcome).to.equal('handled');
      expect((refusals[0] as { code?: string } | undefined)?.code, 'the first run was refused by the server').to.equal('53300');
      expect(failuresSeen, 'the second run carried no failure').to.deep.equal([0, 0]);
      expect(retried, 'neither retried as a failure nor moved to the error queue').to.deep.equal([]);
    } finally {
      await world.stopAll();
    }
  });
});
