import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { emptyTransportMessage, type TransportMessage } from '../../../src/envelope/transport-message.js';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import { type IIdempotenceService, ProcessingStatus } from '../../../src/idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../../src/idempotence/unit-of-work.js';
import { MssqlStore } from '../../../src/stores/mssql/index.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { GroupCommitIdempotenceService } from '../../../src/stores/sql/group-commit/group-commit-idempotence-service.js';
import { PostgresPipeline } from '../../../src/stores/postgres/postgres-pipeline.js';
import type { GroupCommitOptions } from '../../../src/stores/sql/group-commit/group-commit-options.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, openSqliteStore, PG_POOLER_OPTIONS, PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

const INBOX = 'rabbitmq://localhost/gc-work';

function message(id: string = randomUUID()): TransportMessage {
  const tm = emptyTransportMessage();
  tm.messageId = id;
  tm.messageType = 'gc.Order';
  return tm;
}

function outgoing(): TransportMessage {
  const tm = message();
  tm.recipientInboxWorkQueueUri = 'rabbitmq://localhost/gc-follow-up';
  return tm;
}

const client = (uow: IUnitOfWork) => uow.transaction as pg.PoolClient;

/**
 * What one message's pipeline does with the service: claim; when Assigned run `handler` in its turn,
 * then messageHandled + commit (or rollback when it throws); report the status and the outcome.
 */
async function handle(
  svc: IIdempotenceService,
  tm: TransportMessage,
  handler: (uow: IUnitOfWork) => Promise<void> = async () => undefined,
): Promise<{ status: ProcessingStatus; committed: boolean; error?: unknown }> {
  const uow = await svc.beginUnitOfWork();
  const status = await svc.processingStatus(tm, uow);
  if (status !== ProcessingStatus.Assigned) {
    await uow.commit();
    return { status, committed: false };
  }
  try {
    await handler(uow);
  } catch (error) {
    await uow.rollback();
    return { status, committed: false, error };
  }
  try {
    await svc.messageHandled(tm, uow);
    await uow.commit();
    return { status, committed: true };
  } catch (error) {
    await uow.rollback();
    return { status, committed: false, error };
  }
}

describe('PostgreSQL group commit (real server)', function () {
  this.timeout(30_000);
  let store: ReturnType<typeof openPostgresStore>;
  const services: IIdempotenceService[] = [];

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    store = openPostgresStore({ poolSize: 10 });
    await store.store.ready();
    await store.database.execute(`CREATE TABLE ${store.schema}.business (message_id text PRIMARY KEY, note text)`);
  });
  // Each service reserves its lanes' connections from the pool until stopped.
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop?.();
  });
  after(() => store?.dispose());

  async function service(groupCommit: GroupCommitOptions = { lanes: 1 }, on = store as PostgresStore): Promise<IIdempotenceService> {
    const svc = on.idempotence({ groupCommit }).create(INBOX);
    await svc.start?.();
    services.push(svc);
    return svc;
  }

  const write = (note: string) => async (uow: IUnitOfWork) => {
    const id = note.split(':')[0]!;
    await client(uow).query(`INSERT INTO ${store.schema}.business (message_id, note) VALUES ($1, $2)`, [id, note]);
  };

  async function businessRows(ids: readonly string[]): Promise<string[]> {
    const rows = await store.database.query<{ message_id: string }>(`SELECT message_id FROM ${store.schema}.business WHERE message_id = ANY($1::text[]) ORDER BY message_id`, [ids]);
    return rows.map((r) => r.message_id);
  }

  /** The status a new copy of `tm` gets (a copy found new is then handled, with no writes). */
  async function statusOf(svc: IIdempotenceService, tm: TransportMessage): Promise<ProcessingStatus> {
    return (await handle(svc, tm)).status;
  }

  it('runs the messages taken together in one transaction, each handler in its turn', async () => {
    const svc = await service({ lanes: 1 });
    const txids: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        handle(svc, message(), async (uow) => {
          txids.push((await client(uow).query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0]!.x);
        }),
      ),
    );
    expect(results.every((r) => r.committed)).to.equal(true);
    expect(new Set(txids).size, 'eight messages taken in one turn of the event loop share one transaction').to.equal(1);
  });

  it('never puts more than maxBatchSize messages in one transaction', async () => {
    const svc = await service({ lanes: 1, maxBatchSize: 3 });
    const txids: string[] = [];
    await Promise.all(
      Array.from({ length: 7 }, () =>
        handle(svc, message(), async (uow) => {
          txids.push((await client(uow).query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0]!.x);
        }),
      ),
    );
    const perTx = [...txids.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>()).values()];
    expect(Math.max(...perTx)).to.be.at.most(3);
    expect(perTx.reduce((a, b) => a + b, 0)).to.equal(7);
  });

  it('rolls back only the failing handler: its writes and its claim go, the others commit', async () => {
    const svc = await service({ lanes: 1 });
    const tms = Array.from({ length: 6 }, () => message());
    const results = await Promise.all(
      tms.map((tm, i) =>
        handle(svc, tm, async (uow) => {
          await write(`${tm.messageId}:written`)(uow);
          if (i === 2) throw new Error('handler failed after writing');
        }),
      ),
    );
    expect(results.map((r) => r.committed)).to.deep.equal([true, true, false, true, true, true]);
    expect(await businessRows(tms.map((t) => t.messageId))).to.deep.equal(tms.filter((_, i) => i !== 2).map((t) => t.messageId).sort());
    // The failed message is new again (its retry runs the handler); the others are done.
    expect(await statusOf(svc, tms[2]!)).to.equal(ProcessingStatus.Assigned);
    expect(await statusOf(svc, tms[0]!)).to.equal(ProcessingStatus.Ignore);
  });

  it('fails the one member whose handler swallowed a failed statement, and commits the rest', async () => {
    const svc = await service({ lanes: 1 });
    const tms = Array.from({ length: 3 }, () => message());
    const results = await Promise.all(
      tms.map((tm, i) =>
        handle(svc, tm, async (uow) => {
          await write(`${tm.messageId}:written`)(uow);
          if (i === 1) await client(uow).query('SELECT * FROM no_such_table').catch(() => undefined);
        }),
      ),
    );
    expect(results.map((r) => r.committed)).to.deep.equal([true, false, true]);
    // Its own failure, the same every time (retried, then the error queue), never an outage.
    expect(OncebusError.is(results[1]!.error) && results[1]!.error.code).to.equal('ONCEBUS_TRANSACTION_ABORTED');
    expect(await businessRows(tms.map((t) => t.messageId))).to.deep.equal([tms[0]!.messageId, tms[2]!.messageId].sort());
  });

  it('holds a second copy of a message out of its batch until the first commits, then reports the outcome', async () => {
    const svc = await service({ lanes: 2 });
    const owing = message();
    const done = message();
    const [a, b, c, d] = await Promise.all([
      handle(svc, owing, async (uow) => svc.addDeferredMessage(owing, outgoing(), Buffer.from('f'), uow)),
      handle(svc, owing, async (uow) => svc.addDeferredMessage(owing, outgoing(), Buffer.from('f'), uow)),
      handle(svc, done, write(`${done.messageId}:once`)),
      handle(svc, done, write(`${done.messageId}:twice`)),
    ]);
    expect([a!.status, b!.status].sort()).to.deep.equal([ProcessingStatus.Assigned, ProcessingStatus.MessageHandled].sort());
    expect([c!.status, d!.status].sort()).to.deep.equal([ProcessingStatus.Assigned, ProcessingStatus.Ignore].sort());
    expect(await svc.getDeferredMessages(owing)).to.have.length(1);
  });

  it('lets two processes claim overlapping messages in opposite orders: each is handled exactly once, no deadlock', async () => {
    const other = new PostgresStore({ connectionString: PG_URL, schema: store.schema, poolSize: 5, ...PG_POOLER_OPTIONS });
    try {
      const [one, two] = [await service({ lanes: 2 }), await service({ lanes: 2 }, other)];
      const tms = Array.from({ length: 20 }, () => message());
      const handledBy: string[] = [];
      const run = (svc: IIdempotenceService, name: string, list: TransportMessage[]) =>
        Promise.all(
          list.map((tm) =>
            handle(svc, tm, async (uow) => {
              handledBy.push(name);
              await write(`${tm.messageId}:${name}`)(uow);
            }),
          ),
        );
      const [r1, r2] = await Promise.all([run(one, 'one', tms), run(two, 'two', [...tms].reverse())]);
      expect([...r1, ...r2].filter((r) => r.error)).to.deep.equal([]);
      expect([...r1, ...r2].filter((r) => r.committed)).to.have.length(20);
      expect(await businessRows(tms.map((t) => t.messageId))).to.have.length(20);
    } finally {
      await other.close();
    }
  });

  it('fails every member of a batch whose connection dies, and commits none of their work', async () => {
    const svc = await service({ lanes: 1 });
    const tms = Array.from({ length: 4 }, () => message());
    const results = await Promise.all(
      tms.map((tm, i) =>
        handle(svc, tm, async (uow) => {
          await write(`${tm.messageId}:written`)(uow);
          if (i === 3) {
            const pid = (await client(uow).query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
            await store.database.execute('SELECT pg_terminate_backend($1)', [pid]);
          }
        }),
      ),
    );
    expect(results.map((r) => r.committed)).to.deep.equal([false, false, false, false]);
    expect(results.every((r) => OncebusError.is(r.error))).to.equal(true);
    expect(await businessRows(tms.map((t) => t.messageId))).to.deep.equal([]);
    for (const tm of tms) expect(await statusOf(svc, tm)).to.equal(ProcessingStatus.Assigned);
  });

  it('completes many messages in shared statements: afterwards each is ignored and nothing is stored', async () => {
    const svc = await service({ lanes: 2 });
    const tms = Array.from({ length: 20 }, () => message());
    const sends = new Map(tms.map((tm) => [tm.messageId, outgoing()]));
    await Promise.all(tms.map((tm) => handle(svc, tm, (uow) => svc.addDeferredMessage(tm, sends.get(tm.messageId)!, Buffer.from('f'), uow))));
    // A copy found handled (what a crash before completion leaves) reads its sends from the database.
    expect(await statusOf(svc, tms[0]!)).to.equal(ProcessingStatus.MessageHandled);
    await Promise.all(
      tms.map(async (tm) => {
        const stored = await svc.getDeferredMessages(tm);
        expect(stored.map((d) => d.messageId)).to.deep.equal([sends.get(tm.messageId)!.messageId]);
        await svc.deferredMessageSent(tm, stored[0]!);
        await svc.processingCompleted(tm);
      }),
    );
    for (const tm of tms) expect(await statusOf(svc, tm)).to.equal(ProcessingStatus.Ignore);
    const left = await store.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${store.schema}.idempotence_deferred WHERE message_id = ANY($1::text[])`, [
      tms.map((t) => t.messageId),
    ]);
    expect(left[0]!.n).to.equal(0);
  });

  it('stores every send of a batch byte for byte and in send order, empty bodies and any byte included', async () => {
    const svc = await service({ lanes: 1 });
    const bodies = [
      [Buffer.from([0x00, 0x5c, 0xff]), Buffer.alloc(0), Buffer.from('second')],
      [Buffer.alloc(0)],
      [],
      [Buffer.from([0xff, 0x00]), Buffer.from('\\x00'), Buffer.from([0x5c, 0x5c, 0x00, 0xff, 0x22, 0x7b]), Buffer.alloc(0)],
    ];
    const tms = bodies.map(() => message());
    const txids: string[] = [];
    const results = await Promise.all(
      tms.map((tm, i) =>
        handle(svc, tm, async (uow) => {
          txids.push((await client(uow).query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0]!.x);
          for (const body of bodies[i]!) await svc.addDeferredMessage(tm, outgoing(), body, uow);
        }),
      ),
    );
    expect(results.every((r) => r.committed)).to.equal(true);
    expect(new Set(txids).size, 'the messages share one batch').to.equal(1);
    // Read from the table: the service answers from memory for copies it committed itself.
    const rows = await store.database.query<{ message_id: string; sequence: number; hex: string | null }>(
      `SELECT message_id, sequence, encode(body, 'hex') AS hex FROM ${store.schema}.idempotence_deferred WHERE message_id = ANY($1::text[])`,
      [tms.map((t) => t.messageId)],
    );
    for (const [i, tm] of tms.entries()) {
      const stored = rows.filter((r) => r.message_id === tm.messageId).sort((a, b) => a.sequence - b.sequence);
      expect(stored.map((r) => r.sequence)).to.deep.equal(bodies[i]!.map((_, n) => n));
      expect(stored.map((r) => r.hex)).to.deep.equal(bodies[i]!.map((b) => b.toString('hex')));
    }
  });

  type Outcome = Awaited<ReturnType<typeof handle>>;

  /**
   * Handles `tms` (each writing its business row) while watching the round trips that commit one batch and
   * claim the next; `sabotage` runs on the lane's client just before one is sent (the n-th, counted from
   * 0), to break it the way a test needs. Resolves to each message's outcome and the round trips' texts.
   */
  async function handleWatchingCommits(
    svc: IIdempotenceService,
    tms: TransportMessage[],
    sabotage?: (client: pg.Client, n: number) => Promise<void>,
  ): Promise<{ results: Outcome[]; texts: string[] }> {
    const original = pg.Client.prototype.query as (...a: unknown[]) => unknown;
    const texts: string[] = [];
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      // The commit of one batch and the claim of the next go as one pipeline (postgres-pipeline.ts).
      const steps = args[0] instanceof PostgresPipeline ? args[0].steps : [];
      const text = steps.map((step) => step.text).join('; ');
      if (text.startsWith('COMMIT; BEGIN;')) {
        const n = texts.push(text) - 1;
        if (sabotage) return sabotage(this, n).then(() => original.apply(this, args));
      }
      return original.apply(this, args);
    } as typeof pg.Client.prototype.query;
    try {
      return { results: await Promise.all(tms.map((tm) => handle(svc, tm, write(`${tm.messageId}:once`)))), texts };
    } finally {
      pg.Client.prototype.query = original as typeof pg.Client.prototype.query;
    }
  }

  it('claims the next batch in the round trip of the previous commit, whatever text the messageIds hold', async () => {
    const svc = await service({ lanes: 1, maxBatchSize: 2 });
    const ids = ["o'brien", 'back\\slash', '{brace,comma}', '"quoted"', 'NULL', ` mixed '\\" ,{} `, randomUUID()];
    const { results, texts } = await handleWatchingCommits(svc, ids.map((id) => message(id)));
    expect(results.map((r) => r.committed)).to.deep.equal(ids.map(() => true));
    expect(texts.length, 'batches after the first were claimed with the commit before them').to.be.at.least(2);
    expect((await businessRows(ids)).sort()).to.deep.equal([...ids].sort());
    // The ids stored are the ids sent: each copy now finds its row.
    for (const id of ids) expect(await statusOf(svc, message(id))).to.equal(ProcessingStatus.Ignore);
  });

  it('fails a batch whose commit round trip breaks, and claims the batch that was riding with it anew', async () => {
    const svc = await service({ lanes: 1, maxBatchSize: 2 });
    const tms = Array.from({ length: 6 }, () => message());
    const { results } = await handleWatchingCommits(svc, tms, async (client, n) => {
      // The server session's own pid, asked inside the transaction: through a pooler, client.processID is the pooler's.
      if (n === 0) await store.database.execute('SELECT pg_terminate_backend($1)', [(await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid]);
    });
    expect(results.map((r) => r.committed)).to.deep.equal([false, false, true, true, true, true]);
    expect(OncebusError.is(results[0]!.error) && results[0]!.error.code).to.equal('ONCEBUS_STORE');
    expect((await businessRows(tms.map((t) => t.messageId))).sort()).to.deep.equal(tms.slice(2).map((t) => t.messageId).sort());
    for (const tm of tms.slice(0, 2)) expect(await statusOf(svc, tm)).to.equal(ProcessingStatus.Assigned);
  });

  it('fails a batch that PostgreSQL rolls back at COMMIT, and goes on with the batch claimed in the same round trip', async () => {
    const svc = await service({ lanes: 1, maxBatchSize: 2 });
    const tms = Array.from({ length: 4 }, () => message());
    // A statement failing in the shared transaction outside any member's savepoint leaves it aborted.
    const { results } = await handleWatchingCommits(svc, tms, async (client, n) => {
      if (n === 0) await client.query('SELECT 1 / 0').catch(() => undefined);
    });
    expect(results.map((r) => r.committed)).to.deep.equal([false, false, true, true]);
    expect(String((results[0]!.error as Error).message)).to.match(/rolled the batch back at COMMIT/);
    expect((await businessRows(tms.map((t) => t.messageId))).sort()).to.deep.equal(tms.slice(2).map((t) => t.messageId).sort());
    for (const tm of tms.slice(0, 2)) expect(await statusOf(svc, tm)).to.equal(ProcessingStatus.Assigned);
  });

  it('reports a batch committed as soon as PostgreSQL answers its COMMIT, while the claim riding with it waits on another process', async () => {
    const svc = await service({ lanes: 1, maxBatchSize: 1 });
    const [first, blocked] = [message(), message()];
    const other = await foreignClaim(store.schema, blocked);
    try {
      // maxBatchSize 1: `blocked` waits, so its claim rides with `first`'s COMMIT and waits on the foreign row.
      const results = [handle(svc, first, write(`${first.messageId}:once`)), handle(svc, blocked, write(`${blocked.messageId}:once`))];
      const firstOutcome = await Promise.race([results[0]!, new Promise((r) => setTimeout(() => r('still waiting'), 3000))]);
      expect(firstOutcome, 'the first batch does not wait for the next claim').to.deep.include({ committed: true });
      await other.query('ROLLBACK');
      expect((await results[1]!).committed, 'the foreign claim rolled back: the message is this process’s').to.equal(true);
    } finally {
      await other.end();
    }
  });

  it('keeps a committed batch committed when the claim riding with its COMMIT times out, and fails only the next batch', async () => {
    const impatient = openPostgresStore({ poolSize: 5, statementTimeoutMs: 800 });
    try {
      await impatient.store.ready();
      const svc = await service({ lanes: 1, maxBatchSize: 1 }, impatient as PostgresStore);
      const [first, blocked] = [message(), message()];
      const other = await foreignClaim(impatient.schema, blocked);
      try {
        // The blocked message's claim fails, so its status does (its pipeline would release it).
        const [a, b] = await Promise.all([handle(svc, first), handle(svc, blocked).catch((error: unknown) => ({ committed: false, error }))]);
        expect(a.committed, 'the batch that committed is not reported failed').to.equal(true);
        expect(b.committed).to.equal(false);
        expect(OncebusError.is(b.error) && b.error.code).to.equal('ONCEBUS_STORE');
        expect(await statusOf(svc, first)).to.equal(ProcessingStatus.Ignore);
      } finally {
        await other.query('ROLLBACK');
        await other.end();
      }
    } finally {
      await impatient.dispose();
    }
  });

  /** Another process's uncommitted claim of `tm` (an open transaction on a connection of its own). */
  async function foreignClaim(schema: string, tm: TransportMessage): Promise<pg.Client> {
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    await other.query('BEGIN');
    await other.query(`INSERT INTO ${schema}.idempotence (inbox_uri, message_id, status, message_type, created_at) VALUES ($1, $2, 'assigned', 'gc.Order', 0)`, [
      INBOX,
      tm.messageId,
    ]);
    return other;
  }

  it('refuses group commit where it cannot run (SQL Server), and batch sizes past what PostgreSQL keeps in memory', async () => {
    // Constructing the store connects nothing (its pool connects on first use).
    const mssql = new MssqlStore({ connectionString: 'Server=127.0.0.1,1;Database=none;User Id=none;Password=none;Encrypt=false' });
    expect(() => mssql.idempotence({ groupCommit: true })).to.throw(/the mssql store cannot group-commit \(PostgreSQL and SQLite can\)/);
    const sqlite = openSqliteStore();
    try {
      expect(sqlite.idempotence({ groupCommit: true }).create(INBOX)).to.be.an.instanceOf(GroupCommitIdempotenceService);
    } finally {
      await sqlite.dispose();
    }
    expect(() => store.idempotence({ groupCommit: { maxBatchSize: 65 } })).to.throw(/maxBatchSize/);
    expect(() => store.idempotence({ groupCommit: { lanes: 0 } })).to.throw(/lanes/);
  });
});
