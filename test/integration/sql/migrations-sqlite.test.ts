import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import Database from 'better-sqlite3';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { OncebusError } from '../../../src/errors/errors.js';
import { addOncebus, createSilentLogger, handlesMessage, type IServiceBus, TYPES } from '../../../src/index.js';
import { run } from '../../../src/operations/cli/main.js';
import { SqliteStore } from '../../../src/stores/sqlite/index.js';
import { waitForEvents } from '../../support/latch.js';
import { PlaceOrder } from '../../support/messages.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let runs = 0;

@handlesMessage(PlaceOrder)
class CountsOrders {
  handle(): void {
    runs++;
  }
}

function endpoint(store: SqliteStore, inbox: string): IServiceBus {
  const container = new Container();
  container.bind(TYPES.QueueFactory).toConstantValue(store.queues);
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
  container.bind(TYPES.SubscriptionService).toConstantValue(store.subscriptions);
  container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(container, {
    handlers: [CountsOrders],
    idempotence: true,
    stopTimeout: '2s',
    inbox: { workQueueUri: inbox, errorQueueUri: `${inbox}-error`, durationToSleepWhenIdle: ['5ms', '20ms'] },
  });
  return container.get<IServiceBus>(TYPES.ServiceBus);
}

/** The tables in a SQLite file, read with a connection of its own. */
function tablesIn(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('SQLite migrations apart from the runtime: oncebus migrate, then stores with migrate: false', function () {
  this.timeout(20_000);
  let dir = '';
  const stores: SqliteStore[] = [];
  const open = (file: string): SqliteStore => {
    const store = new SqliteStore({ file, migrate: false });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-migrate-sqlite-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--print on a missing file prints every migration and creates nothing; migrate creates the file, tables and queue tables; the endpoint runs on it', async () => {
    const file = join(dir, 'endpoint.db');
    const settings = join(dir, 'endpoint.json');
    writeFileSync(settings, JSON.stringify({ inbox: { workQueueUri: 'sqlite://default/orders', errorQueueUri: 'sqlite://default/orders-error' } }));

    const printed = await cli('migrate', '--store', `sqlite:${file}`, '--settings', settings, '--print');
    expect(printed.code).to.equal(0);
    expect(printed.out).to.include('-- oncebus migration 1:');
    expect(printed.out).to.include('-- oncebus migration 4:');
    expect(printed.out).to.include('CREATE TABLE oncebus_sagas (');
    expect(printed.out).to.include('-- oncebus migration 5:');
    expect(printed.out).to.include('CREATE TABLE oncebus_http_keys (');
    expect(printed.out).to.include('CREATE TABLE IF NOT EXISTS oncebus_q_orders_error');
    expect(existsSync(file), 'the file --print was given').to.equal(false);

    const migrated = await cli('migrate', '--store', `sqlite:${file}`, '--settings', settings);
    expect(migrated.err).to.equal('');
    expect(migrated.code).to.equal(0);
    expect(migrated.out).to.include('applied migration 4: saga instances');
    expect(migrated.out).to.include('applied migration 5: HTTP Idempotency-Keys and their stored responses');
    expect(migrated.out).to.include('queue table oncebus_q_orders (sqlite://default/orders): created');
    expect(tablesIn(file)).to.include.members(['oncebus_idempotence', 'oncebus_q_orders', 'oncebus_q_orders_error', 'oncebus_sagas', 'oncebus_http_keys', 'oncebus_schema_version']);
    const nothing = await cli('migrate', '--store', `sqlite:${file}`, '--print');
    expect(nothing.out).to.equal(`-- oncebus: nothing to apply to sqlite:${file}`);

    runs = 0;
    const store = open(file);
    const bus = endpoint(store, 'sqlite://default/orders');
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled');
    const ignored = waitForEvents(bus.events, 'messageIgnored');
    const sent = await bus.send(new PlaceOrder('o-1'), { recipient: 'sqlite://default/orders' });
    await handled;
    await store.queues.create('sqlite://default/orders').enqueue(sent, serializeTransportMessage(sent));
    await ignored;
    await bus.stop();
    expect(runs).to.equal(1);
  });

  it('a file never migrated: the endpoint fails at start naming every migration and the command, and creates no table', async () => {
    const file = join(dir, 'fresh.db');
    const bus = endpoint(open(file), 'sqlite://default/orders');
    const error = await bus.start().then(() => null, (e: unknown) => e);
    await bus.stop().catch(() => undefined);
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_SCHEMA_NOT_MIGRATED');
    const e = error as OncebusError;
    for (const v of [1, 2, 3, 4, 5]) expect(e.message).to.include(`migration ${v} (`);
    expect(e.hint).to.include(`npx oncebus migrate --store sqlite:${file}`);
    expect(tablesIn(file)).to.deep.equal([]);
  });
});
