import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import pg from 'pg';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { OncebusError } from '../../../src/errors/errors.js';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IServiceBus, TYPES } from '../../../src/index.js';
import { run } from '../../../src/operations/cli/main.js';
import { PostgresStore, type PostgresTransaction } from '../../../src/stores/postgres/index.js';
import { requireService } from '../../support/integration.js';
import { waitForEvents } from '../../support/latch.js';
import { PlaceOrder } from '../../support/messages.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let runs = 0;
let ordersTable = '';

@handlesMessage(PlaceOrder)
class RecordsTheOrder {
  async handle(ctx: IHandlerContext<PlaceOrder, PostgresTransaction>): Promise<void> {
    runs++;
    await ctx.transaction.query(`INSERT INTO ${ordersTable} (id) VALUES ($1)`, [ctx.message.orderId]);
  }
}

/** An idempotent endpoint whose queues, idempotence rows and subscriptions are all in `store`. */
function endpoint(store: PostgresStore, inbox: string): IServiceBus {
  const container = new Container();
  container.bind(TYPES.QueueFactory).toConstantValue(store.queues);
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
  container.bind(TYPES.SubscriptionService).toConstantValue(store.subscriptions);
  container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(container, {
    handlers: [RecordsTheOrder],
    idempotence: true,
    stopTimeout: '2s',
    inbox: { workQueueUri: inbox, errorQueueUri: `${inbox}_error`, durationToSleepWhenIdle: ['5ms', '20ms'] },
  });
  return container.get<IServiceBus>(TYPES.ServiceBus);
}

describe('PostgreSQL migrations apart from the runtime: a role without DDL rights runs the endpoint', function () {
  this.timeout(30_000);
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `mig_${id}`;
  const role = `oncebus_rt_${id}`;
  const password = `pw_${id}`;
  const restrictedUrl = (() => {
    const url = new URL(PG_URL);
    url.username = role;
    url.password = password;
    return url.toString();
  })();
  const inbox = `postgres://default/orders_${id}`;
  let owner: pg.Client;
  let dir = '';
  let settings = '';
  const stores: PostgresStore[] = [];

  /** A store as the restricted role, never migrating. */
  function restricted(): PostgresStore {
    const store = new PostgresStore({ connectionString: restrictedUrl, schema, migrate: false, connectTimeoutMs: 3000 });
    stores.push(store);
    return store;
  }

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    owner = new pg.Client({ connectionString: PG_URL });
    await owner.connect();
    await owner.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    dir = mkdtempSync(join(tmpdir(), 'oncebus-migrate-'));
    settings = join(dir, 'endpoint.json');
    writeFileSync(settings, JSON.stringify({ name: 'orders', inbox: { workQueueUri: inbox, errorQueueUri: `${inbox}_error` } }));
    ordersTable = `${schema}.orders`;
  });

  after(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    if (owner) {
      await owner.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await owner.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await owner.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await owner.end();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the owner migrates (schema, tables, the queue tables of a settings file); the restricted role handles messages once each', async () => {
    const migrated = await cli('migrate', '--store', PG_URL, '--schema', schema, '--settings', settings);
    expect(migrated.err).to.equal('');
    expect(migrated.code).to.equal(0);
    for (const v of [1, 2, 3, 4, 5, 6]) expect(migrated.out).to.match(new RegExp(`applied migration ${v}: `));
    expect(migrated.out).to.include(`queue table ${schema}.q_orders_${id} `);
    expect(migrated.out).to.include(`${schema}.q_orders_${id}_error`);
    expect(migrated.out).to.not.include('oncebus:oncebus@');

    // A second run has nothing left to do.
    const again = await cli('migrate', '--store', PG_URL, '--schema', schema, '--settings', settings);
    expect(again.code).to.equal(0);
    expect(again.out).to.not.include('applied migration');
    expect(again.out).to.include('schema at version 6');

    // The handler's own table, then the GRANTs the CLI prints for the runtime role, run as a DBA would.
    await owner.query(`CREATE TABLE ${ordersTable} (id text PRIMARY KEY)`);
    const grants = await cli('migrate', '--store', PG_URL, '--schema', schema, '--print-grants', role);
    expect(grants.code).to.equal(0);
    expect(grants.out).to.include(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    expect(grants.out).to.not.match(/GRANT[^;]*CREATE/);
    await owner.query(grants.out);

    // The premise: the role cannot create anything in the schema or the database.
    const asRole = new pg.Client({ connectionString: restrictedUrl });
    await asRole.connect();
    const refused = async (sql: string) => asRole.query(sql).then(() => 'ran', (e: { code?: string }) => e.code);
    expect(await refused(`CREATE TABLE ${schema}.intruder (id int)`)).to.equal('42501');
    expect(await refused(`CREATE SCHEMA intruder_${id}`)).to.equal('42501');
    // ...and can keep saga instances: the grants cover the sagas table too.
    const saga = [`Order_${id}`, `o-${id}`, randomUUID(), Buffer.from('{}'), Date.now()];
    await asRole.query(`INSERT INTO ${schema}.sagas (saga_type, correlation_id, instance_id, state, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)`, saga);
    expect((await asRole.query(`UPDATE ${schema}.sagas SET version = 2 WHERE instance_id = $1 AND version = 1`, [saga[2]])).rowCount).to.equal(1);
    expect((await asRole.query(`DELETE FROM ${schema}.sagas WHERE instance_id = $1`, [saga[2]])).rowCount).to.equal(1);
    // ...and HTTP Idempotency-Keys: claim, complete, purge.
    const now = Date.now();
    await asRole.query(
      `INSERT INTO ${schema}.http_keys (scope, key, fingerprint, status, attempt, locked_until, created_at, expires_at) VALUES ('t', $1, 'f', 'running', 'a', $2, $2, $2)`,
      [`k-${id}`, now],
    );
    expect((await asRole.query(`UPDATE ${schema}.http_keys SET status = 'completed', response_body = $2 WHERE key = $1 AND attempt = 'a'`, [`k-${id}`, Buffer.from('{}')])).rowCount).to.equal(1);
    expect((await asRole.query(`DELETE FROM ${schema}.http_keys WHERE expires_at <= $1`, [now])).rowCount).to.equal(1);
    await asRole.end();

    runs = 0;
    const store = restricted();
    const bus = endpoint(store, inbox);
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled');
    const ignored = waitForEvents(bus.events, 'messageIgnored');
    const sent = await bus.send(new PlaceOrder(`o-${id}`), { recipient: inbox });
    await handled;
    // A redelivered copy of the same message: idempotence drops it.
    await store.queues.create(inbox).enqueue(sent, serializeTransportMessage(sent));
    await ignored;
    await bus.stop();
    expect(runs).to.equal(1);
    const { rows } = await owner.query(`SELECT id FROM ${ordersTable}`);
    expect(rows).to.deep.equal([{ id: `o-${id}` }]);
    const { rows: statuses } = await owner.query(`SELECT status FROM ${schema}.idempotence WHERE message_id = $1`, [sent.messageId]);
    expect(statuses).to.deep.equal([{ status: 'completed' }]);
  });

  it('a schema behind the code: the restricted endpoint fails at start naming the missing migration and the command to run', async () => {
    await owner.query(`DELETE FROM ${schema}.schema_version WHERE version = 6`);
    try {
      const printed = await cli('migrate', '--store', PG_URL, '--schema', schema, '--print');
      expect(printed.code).to.equal(0);
      expect(printed.out).to.include('-- oncebus migration 6:');
      expect(printed.out).to.include(`CREATE TABLE ${schema}.http_keys (`);
      expect(printed.out).to.include(`CREATE INDEX http_keys_created ON ${schema}.http_keys (created_at)`);
      expect(printed.out).to.include(`INSERT INTO ${schema}.schema_version (version, description) VALUES (6,`);
      expect(printed.out).to.not.include('migration 5');
      // --print applies nothing.
      const { rows } = await owner.query(`SELECT version FROM ${schema}.schema_version ORDER BY version`);
      expect(rows.map((r: { version: number }) => r.version)).to.deep.equal([1, 2, 3, 4, 5]);

      const bus = endpoint(restricted(), inbox);
      const error = await bus.start().then(() => null, (e: unknown) => e);
      await bus.stop().catch(() => undefined);
      expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_SCHEMA_NOT_MIGRATED');
      const e = error as OncebusError;
      expect(e.message).to.include('migration 6 (HTTP Idempotency-Keys and their stored responses)');
      expect(e.message).to.include(`schema ${schema}`);
      expect(e.message).to.not.include(password);
      expect(e.hint).to.include('npx oncebus migrate --store');
      expect(e.hint).to.include(`--schema ${schema}`);
    } finally {
      await owner.query(`INSERT INTO ${schema}.schema_version (version, description) VALUES (6, 'restored')`);
    }
  });

  it('a queue table migrate never created: the restricted endpoint fails at start naming it, and issues no DDL', async () => {
    const other = `postgres://default/unmigrated_${id}`;
    const bus = endpoint(restricted(), other);
    const error = await bus.start().then(() => null, (e: unknown) => e);
    await bus.stop().catch(() => undefined);
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_SCHEMA_NOT_MIGRATED');
    expect((error as OncebusError).message).to.include(`${schema}.q_unmigrated_${id}`);
    expect((error as OncebusError).hint).to.include('--settings');
    const { rows } = await owner.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, `q_unmigrated_${id}`]);
    expect(rows).to.have.length(0);
  });
});
