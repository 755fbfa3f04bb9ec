import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/errors.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { requireService } from '../../support/integration.js';
import { onNode, otherPort, pairAvailable, primaryPort, rejoin, setMode, sleep, stopNode } from '../../support/pg-pair.js';

const url = (ports: number[], attrs = 'read-write'): string =>
  `postgres://oncebus:oncebus@${ports.map((p) => `127.0.0.1:${p}`).join(',')}/oncebus?target_session_attrs=${attrs}`;

async function withStore<T>(connectionString: string, options: { requireSynchronousReplication?: boolean }, run: (store: PostgresStore) => Promise<T>): Promise<T> {
  const schema = `fh_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const store = new PostgresStore({ connectionString, schema, connectTimeoutMs: 2000, ...options });
  try {
    return await run(store);
  } finally {
    await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await store.close();
  }
}

async function failure(run: () => Promise<unknown>): Promise<OncebusError> {
  try {
    await run();
  } catch (error) {
    if (OncebusError.is(error)) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('the PostgreSQL store on a primary + standby pair', function () {
  this.timeout(60_000);
  let primary = 0;
  let standby = 0;

  before(async function () {
    let up = await pairAvailable();
    if (!up && process.env.CI === 'true') {
      await rejoin().catch(() => undefined);
      up = await pairAvailable();
    }
    requireService(this, 'PostgreSQL primary + standby (scripts/pg-pair.sh start)', up);
    primary = (await primaryPort())!;
    standby = otherPort(primary);
  });
  after(() => setMode('sync').catch(() => undefined));

  it('writes to the primary whichever order the hosts are listed in', async () => {
    for (const order of [[standby, primary], [primary, standby]]) {
      const port = await withStore(url(order), {}, async (store) => {
        await store.store.ready(); // migrates: DDL, refused on a standby
        return (await store.database.query<{ port: number }>('SELECT inet_server_port() AS port'))[0]!.port;
      });
      expect(port, `hosts ${order.join(',')}`).to.equal(primary);
    }
  });

  it('fails as an outage, naming each host and what it is, when no listed host takes writes', async () => {
    const error = await failure(() => withStore(url([standby, 1]), {}, (store) => store.database.query('SELECT 1')));
    expect(error.code).to.equal('ONCEBUS_STORE');
    expect(error.kind).to.equal('infrastructure');
    expect(error.message).to.contain(`127.0.0.1:${standby}: a standby`).and.contain('127.0.0.1:1:').and.not.contain(':oncebus@');
  });

  it('with requireSynchronousReplication: starts on a primary with a synchronous standby', async () => {
    await setMode('sync');
    const version = await withStore(url([standby, primary]), { requireSynchronousReplication: true }, (store) => store.store.ready());
    expect(version).to.be.greaterThan(0);
  });

  it('with requireSynchronousReplication: refuses to start with asynchronous replication, or on a standby', async () => {
    await setMode('async');
    const async = await failure(() => withStore(url([primary, standby]), { requireSynchronousReplication: true }, (store) => store.store.ready()));
    expect(async.code).to.equal('ONCEBUS_REPLICATION_NOT_SYNCHRONOUS');
    expect(async.message).to.contain('synchronous_standby_names is empty');
    // The same pair without the option starts (the check is the option's, not the store's).
    await withStore(url([primary, standby]), {}, (store) => store.store.ready());
    await setMode('sync');
    const onStandby = await failure(() =>
      withStore(`postgres://oncebus:oncebus@127.0.0.1:${standby}/oncebus`, { requireSynchronousReplication: true }, (store) => store.store.ready()),
    );
    expect(onStandby.code).to.equal('ONCEBUS_REPLICATION_NOT_SYNCHRONOUS');
    expect(onStandby.message).to.contain('standby');
  });

  it('with requireSynchronousReplication: refuses a session whose synchronous_commit is below on', async () => {
    await setMode('sync');
    const error = await failure(() =>
      withStore(`${url([primary])}&options=-c%20synchronous_commit%3Dlocal`, { requireSynchronousReplication: true }, (store) => store.store.ready()),
    );
    expect(error.code).to.equal('ONCEBUS_REPLICATION_NOT_SYNCHRONOUS');
    expect(error.message).to.contain("synchronous_commit is 'local'");
  });

  it('with requireSynchronousReplication: refuses to start while no standby is attached, and starts once it is back', async () => {
    await setMode('sync');
    await stopNode(standby);
    try {
      for (let i = 0; i < 100 && (await onNode<{ n: number }>(primary, 'SELECT count(*)::int AS n FROM pg_stat_replication'))?.[0]?.n !== 0; i++) await sleep(100);
      const error = await failure(() => withStore(url([primary, standby]), { requireSynchronousReplication: true }, (store) => store.store.ready()));
      expect(error.code).to.equal('ONCEBUS_REPLICATION_NOT_SYNCHRONOUS');
      expect(error.message, error.message).to.contain('no standby is attached as synchronous (0 attached)');
    } finally {
      await rejoin();
    }
    await setMode('sync'); // waits until the standby streams as sync again
    await withStore(url([primary, standby]), { requireSynchronousReplication: true }, (store) => store.store.ready());
  });

  it('with requireSynchronousReplication: says when its role may not see which standbys are synchronous', async () => {
    await setMode('sync');
    await onNode(primary, "DO $$ BEGIN CREATE ROLE oncebus_unprivileged LOGIN PASSWORD 'unprivileged'; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    const plain = `postgres://oncebus_unprivileged:unprivileged@127.0.0.1:${primary},127.0.0.1:${standby}/oncebus`;
    const error = await failure(() => withStore(plain, { requireSynchronousReplication: true }, (store) => store.store.ready()));
    expect(error.code).to.equal('ONCEBUS_REPLICATION_NOT_SYNCHRONOUS');
    expect(error.hint).to.contain('pg_read_all_stats');
  });
});
