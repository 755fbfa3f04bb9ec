import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import type { OncebusError } from '../../../src/errors/oncebus-error.js';
import { PostgresDatabase, PostgresStore } from '../../../src/stores/postgres/index.js';
import type { PostgresNotifier } from '../../../src/stores/postgres/postgres-notifier.js';
import { requireService } from '../../support/integration.js';
import { PG_URL } from '../../support/sql-subjects.js';

/** PgBouncer in transaction pooling mode (scripts/services.sh starts it on 6432); PG_URL is the server itself. */
const POOLER_URL = process.env.PGBOUNCER_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:6432/oncebus';
/** The server itself, past the pooler: under scripts/pgbouncer-suites.sh PG_URL is the pooler. */
const DIRECT_URL = process.env.PG_LISTEN_URL ?? PG_URL;

async function poolerAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POOLER_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('PostgreSQL through a transaction pooler (PgBouncer, pool_mode = transaction)', function () {
  this.timeout(20_000);

  before(async function () {
    requireService(this, 'PgBouncer', await poolerAvailable(), `nothing answers at ${POOLER_URL} (scripts/services.sh start pgbouncer)`);
  });

  it("a store not told of the pooler fails at once, and the hint names the pooler option", async () => {
    const database = new PostgresDatabase({ connectionString: POOLER_URL, connectTimeoutMs: 3000 });
    try {
      const error = (await database.query('SELECT 1').catch((e: unknown) => e)) as OncebusError;
      expect(error.code).to.equal('ONCEBUS_STORE');
      expect(error.hint).to.include("pooler: 'transaction'");
    } finally {
      await database.close();
    }
  });

  it('a named prepared statement does not follow its client from one transaction to the next: why the mode sends none', async () => {
    // Clients preparing one name in turn land on the server sessions the pooler hands out: one that
    // prepared it already refuses it again (42P05). The store's statements, named the same in every
    // client of a process, would do the same.
    const name = `probe_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const client = new pg.Client({ connectionString: POOLER_URL });
      await client.connect();
      try {
        await client.query({ name, text: 'SELECT $1::int AS n', values: [i] });
      } catch (error) {
        codes.push((error as { code: string }).code);
      } finally {
        await client.end();
      }
    }
    expect(codes, 'the same server session served a second client').to.include('42P05');
  });

  describe("with pooler: 'transaction'", () => {
    let database: PostgresDatabase;
    beforeEach(() => {
      database = new PostgresDatabase({ connectionString: POOLER_URL, connectTimeoutMs: 3000, pooler: 'transaction', statementTimeoutMs: 1000 });
    });
    afterEach(async () => {
      await database.close();
    });

    it('keeps statementTimeoutMs, set for each transaction since the pooler refuses it at connect', async () => {
      const tx = await database.begin();
      const started = Date.now();
      const error = (await tx.query('SELECT pg_sleep(10)').catch((e: unknown) => e)) as { cause?: { code?: string } };
      expect(error.cause?.code).to.equal('57014');
      expect(Date.now() - started).to.be.below(5000);
      await tx.rollback();
      // SET LOCAL: nothing stays behind on the server session for the pooler's next client.
      const [row] = await database.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(row!.statement_timeout).to.not.equal('1s');
    });

    it("cancels a timed-out handler's statement through the pooler (the pid the client knows is the pooler's)", async () => {
      const patient = new PostgresDatabase({ connectionString: POOLER_URL, pooler: 'transaction', statementTimeoutMs: 0 });
      try {
        const tx = await patient.begin();
        const started = Date.now();
        const sleeping = tx.query('SELECT pg_sleep(15)').catch((e: unknown) => e);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.cancelRunning!();
        const error = (await sleeping) as { cause?: { code?: string } };
        expect(error.cause?.code, 'cancelled, not run to its end').to.equal('57014');
        expect(Date.now() - started).to.be.below(5000);
        await tx.rollback();
      } finally {
        await patient.close();
      }
    });
  });

  describe('wake-ups', () => {
    const message = (id: string) => ({ ...emptyTransportMessage(), messageId: id });

    /** A pooled store's queue 'work', its listener, and a cleanup. */
    async function pooledQueue(listenConnectionString: string | undefined) {
      const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const store = new PostgresStore({ connectionString: POOLER_URL, schema, pooler: 'transaction', ...(listenConnectionString ? { listenConnectionString } : {}) });
      const queue = store.queues.create('postgres://default/work');
      await store.store.ready();
      await (queue as unknown as { create(): Promise<void> }).create();
      const notifier = (store as unknown as { notifier: PostgresNotifier }).notifier;
      await notifier.ready();
      const dispose = async (): Promise<void> => {
        await queue.close();
        await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await store.close();
      };
      return { queue, notifier, dispose };
    }

    it('without listenConnectionString: no LISTEN through the pooler, receivers poll and still get every message', async () => {
      const { queue, notifier, dispose } = await pooledQueue(undefined);
      try {
        expect(notifier.subscriptionsGeneration(), 'not listening: subscription changes cannot be heard').to.equal(null);
        const receiving = queue.getMessage();
        await queue.enqueue(message('polled'), Buffer.from('p'));
        let got = await receiving;
        while (got === null) got = await queue.getMessage();
        expect(Buffer.from(got.body).toString()).to.equal('p');
        await queue.acknowledge(got.token);
      } finally {
        await dispose();
      }
    });

    it('with listenConnectionString (the server itself): a wait is woken by the NOTIFY of a send through the pooler', async () => {
      const { queue, notifier, dispose } = await pooledQueue(DIRECT_URL);
      try {
        expect(notifier.subscriptionsGeneration(), 'listening').to.be.a('number');
        // A minute's wait: only the notification ends it within the test's timeout.
        const waiting = notifier.wait('q_work', 60_000);
        await queue.enqueue(message('woken'), Buffer.from('w'));
        await waiting.done;
        const got = await queue.getMessage();
        expect(Buffer.from(got!.body).toString()).to.equal('w');
        await queue.acknowledge(got!.token);
      } finally {
        await dispose();
      }
    });
  });
});
