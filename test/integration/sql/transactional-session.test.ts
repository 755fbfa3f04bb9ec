import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import type { TransportMessage } from '../../../src/envelope/transport-message.js';
import { FaultInjectionModule } from '../../../src/faults/fault-injection-module.js';
import { addOncebus, createSilentLogger, type IServiceBus, type ITransactionalSession, TYPES } from '../../../src/index.js';
import type { PostgresStore, PostgresTransaction } from '../../../src/stores/postgres/index.js';
import type { SqliteStore, SqliteTransaction } from '../../../src/stores/sqlite/index.js';
import { MemorySubscriptionService } from '../../../src/subscriptions/memory-subscription-service.js';
import { type IQueue, isCreateQueue } from '../../../src/transport/queue.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import type { SessionChildConfig } from '../../support/session-child.js';
import { SessionOrderAccepted, SessionPlaceOrder } from '../../support/session-messages.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';
import { disposeTwoDatabases, drainQueue, openTwoDatabases } from '../../support/two-databases.js';

const CHILD = fileURLToPath(new URL('../../support/session-child.js', import.meta.url));
const RECIPIENTS = ['orders', 'billing', 'shipping'] as const;

/**
 * The databases of one test: `main` holds the orders table and the session rows (the user's database),
 * `out` the recipients' queues (another database, so a session's sends are stored and dispatched, not
 * enlisted); plus in-process "web" endpoints and child processes like them.
 */
class SessionWorld {
  readonly config: SessionChildConfig;
  readonly main: PostgresStore | SqliteStore;
  readonly out: PostgresStore | SqliteStore;
  readonly queues: Record<(typeof RECIPIENTS)[number], IQueue>;
  private readonly buses: IServiceBus[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly dir: string | null;

  constructor(readonly kind: 'postgres' | 'sqlite') {
    const id = randomUUID().replace(/-/g, '').slice(0, 10);
    if (kind === 'postgres') {
      this.dir = null;
      this.config = { kind, mode: 'send', pgUrl: PG_URL, schema: `sess_${id}`, outSchema: `sess_out_${id}` };
    } else {
      this.dir = mkdtempSync(join(tmpdir(), 'oncebus-session-'));
      this.config = { kind, mode: 'send', sqliteFile: join(this.dir, 'main.db'), outSqliteFile: join(this.dir, 'out.db') };
    }
    ({ main: this.main, out: this.out } = openTwoDatabases(this.config));
    this.queues = {
      orders: this.out.queues.create('out://default/orders'),
      billing: this.out.queues.create('out://default/billing'),
      shipping: this.out.queues.create('out://default/shipping'),
    };
  }

  async init(): Promise<this> {
    await this.main.store.ready();
    await this.out.store.ready();
    for (const q of Object.values(this.queues)) if (isCreateQueue(q)) await q.create();
    // No key on order_id on purpose: an order written twice must show up as two rows.
    await this.main.database.execute(`CREATE TABLE ${this.table} (order_id text NOT NULL, session_id text NOT NULL)`);
    return this;
  }

  get table(): string {
    return this.kind === 'postgres' ? `${this.config.schema}.orders` : 'orders';
  }

  /** A "web" endpoint in this process, like the child's; `faults` as FaultInjectionModule specs. */
  async web(faults?: string, sweep = '200ms', stopTimeout = '5s'): Promise<IServiceBus> {
    const subscriptions = new MemorySubscriptionService();
    await subscriptions.subscribe(['session.OrderAccepted'], 'out://default/billing');
    await subscriptions.subscribe(['session.OrderAccepted'], 'out://default/shipping');
    const c = new Container();
    c.bind(TYPES.QueueFactory).toConstantValue(this.main.queues);
    c.bind(TYPES.QueueFactory).toConstantValue(this.out.queues);
    c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(this.main.idempotence({ flushLeaseMs: 1000 }));
    c.bind(TYPES.SubscriptionService).toConstantValue(subscriptions);
    c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    const fault = FaultInjectionModule.fromSpec(faults);
    if (fault) c.bind(TYPES.Module).toConstantValue(fault);
    addOncebus(c, { name: 'web', routes: [{ uri: 'out://default/orders', specifications: [{ types: [SessionPlaceOrder] }] }], sessionSweepInterval: sweep, stopTimeout });
    const bus = c.get<IServiceBus>(TYPES.ServiceBus);
    await bus.start();
    this.buses.push(bus);
    return bus;
  }

  /** What a session does in the sample: the order row, PlaceOrder to its queue, OrderAccepted to both subscribers. */
  async placeOrder(session: ITransactionalSession<PostgresTransaction | SqliteTransaction>, orderId: string): Promise<void> {
    if (this.kind === 'postgres') {
      await (session.transaction as PostgresTransaction).query(`INSERT INTO ${this.table} (order_id, session_id) VALUES ($1, $2)`, [orderId, session.id]);
    } else {
      (session.transaction as SqliteTransaction).prepare(`INSERT INTO ${this.table} (order_id, session_id) VALUES (?, ?)`).run(orderId, session.id);
    }
    await session.send(new SessionPlaceOrder(orderId));
    await session.publish(new SessionOrderAccepted(orderId));
  }

  /** Writes an order row through `transaction` (the session's own, or the store's once it is free). */
  async writeOrder(transaction: PostgresTransaction | SqliteTransaction, orderId: string, sessionId: string): Promise<void> {
    if (this.kind === 'postgres') await (transaction as PostgresTransaction).query(`INSERT INTO ${this.table} (order_id, session_id) VALUES ($1, $2)`, [orderId, sessionId]);
    else (transaction as SqliteTransaction).prepare(`INSERT INTO ${this.table} (order_id, session_id) VALUES (?, ?)`).run(orderId, sessionId);
  }

  /** Runs a child process (session-child.ts) in `mode`; resolves once it printed `until` (or exited). */
  child(mode: 'send' | 'sweep', extra: { fault?: string; orders?: number; prefix?: string; slowDispatchMs?: number } = {}) {
    const env = {
      ...process.env,
      SESSION_CONFIG: JSON.stringify({ ...this.config, mode, orders: extra.orders, prefix: extra.prefix }),
      FAULT: extra.fault ?? '',
      SLOW_DISPATCH_MS: String(extra.slowDispatchMs ?? 0),
    };
    const child = spawn(process.execPath, [CHILD], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    this.children.push(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const printed = (word: string) =>
      new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(word)) resolve();
        });
        void exited.then(() => reject(new Error(`the child exited before printing '${word}'`)));
      });
    const stop = async () => {
      child.kill('SIGTERM');
      await exited;
    };
    return { child, exited, printed, stop };
  }

  async orders(): Promise<{ order_id: string; session_id: string }[]> {
    return this.main.database.query(`SELECT order_id, session_id FROM ${this.table} ORDER BY order_id`);
  }

  drain(queue: IQueue): Promise<TransportMessage[]> {
    return drainQueue(queue);
  }

  async count(queue: IQueue): Promise<number> {
    return (queue as unknown as { count(): Promise<number> }).count();
  }

  /** Each recipient's queue holds exactly one copy of each order's message, with that order's session id. */
  async expectOneCopyEach(orderIds: readonly string[]): Promise<void> {
    const rows = await this.orders();
    expect(rows.map((r) => r.order_id).sort(), 'each order row once').to.deep.equal([...orderIds].sort());
    const sessionOf = new Map(rows.map((r) => [r.order_id, r.session_id]));
    for (const name of RECIPIENTS) {
      const got = await this.drain(this.queues[name]);
      const ids = got.map((tm) => JSON.parse(Buffer.from(tm.message).toString()).orderId as string).sort();
      expect(ids, `${name}: one copy per order`).to.deep.equal([...orderIds].sort());
      for (const tm of got) {
        const orderId = JSON.parse(Buffer.from(tm.message).toString()).orderId as string;
        expect(tm.messageReceivedId, `${name}: sent by the session that wrote ${orderId}`).to.equal(sessionOf.get(orderId));
      }
    }
  }

  /** Session rows of the store still owing sends. */
  async owed(): Promise<number> {
    const prefix = this.kind === 'postgres' ? `${this.config.schema}.` : 'oncebus_';
    const [row] = await this.main.database.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${prefix}idempotence WHERE status = 'handled'`);
    return Number(row?.n ?? 0);
  }

  async dispose(): Promise<void> {
    for (const bus of this.buses) await bus.stop().catch(() => undefined);
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const q of Object.values(this.queues)) await q.close();
    await disposeTwoDatabases(this.config, this);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`transactional sessions on ${kind}: the user's write and the messages commit together, and nothing owed is forgotten`, function () {
    this.timeout(60_000);
    let world: SessionWorld;

    beforeEach(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      world = await new SessionWorld(kind).init();
    });
    afterEach(async () => world?.dispose());

    it('commit: the order row and one copy per recipient, sent by that session', async () => {
      const web = await world.web();
      const result = await web.withTransaction(async (session: ITransactionalSession<PostgresTransaction | SqliteTransaction>) => {
        await world.placeOrder(session, 'A-1');
        return session.id;
      });
      expect(result).to.be.a('string');
      await world.expectOneCopyEach(['A-1']);
      expect(await world.owed(), 'nothing owed after the dispatch').to.equal(0);
    });

    it('rollback: the error is rethrown, no row is written and nothing is sent', async () => {
      const web = await world.web();
      const failure = await web
        .withTransaction(async (session: ITransactionalSession<PostgresTransaction | SqliteTransaction>) => {
          await world.placeOrder(session, 'R-1');
          throw new Error('payment declined');
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(String(failure)).to.contain('payment declined');
      expect(await world.orders()).to.deep.equal([]);
      for (const name of RECIPIENTS) expect(await world.count(world.queues[name]), name).to.equal(0);
      expect(await world.owed()).to.equal(0);
    });

    it('a send after the session ended is refused, naming the mistake', async () => {
      const web = await world.web();
      let escaped: ITransactionalSession | null = null;
      await web.withTransaction(async (session) => {
        escaped = session;
      });
      const late = await escaped!.send(new SessionPlaceOrder('late')).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(late?.message).to.match(/after the session ended/);
      expect(await world.count(world.queues.orders)).to.equal(0);
    });

    it('bus.stop() does not wait forever for a session whose work hangs: it rolls back, its caller is told, its later writes are refused', async () => {
      const web = await world.web(undefined, '200ms', '300ms');
      let resume: () => void = () => undefined;
      const hung = new Promise<void>((resolve) => {
        resume = resolve;
      });
      const later: { write?: unknown; send?: unknown } = {};
      let workEnded: () => void = () => undefined;
      const workDone = new Promise<void>((resolve) => {
        workEnded = resolve;
      });
      const call = web
        .withTransaction(async (session: ITransactionalSession<PostgresTransaction | SqliteTransaction>) => {
          await world.placeOrder(session, 'H-1');
          await hung; // the work never finishes by itself
          later.write = await world.writeOrder(session.transaction, 'H-2', session.id).then(
            () => 'written',
            (e: unknown) => e,
          );
          later.send = await session.send(new SessionPlaceOrder('H-3')).then(
            () => 'sent',
            (e: unknown) => e,
          );
          workEnded();
        })
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
      await new Promise((resolve) => setTimeout(resolve, 100)); // the session is in its work
      await web.stop(); // hangs (and the test times out) if stop waits for the work
      const refused = await call;
      expect(refused?.name, 'the caller is told').to.equal('BusStateError');
      expect(refused?.message).to.contain('stopTimeout');
      resume();
      await workDone;
      expect(later.write, 'a write after the rollback').to.be.an('error');
      expect(later.send, 'a send after the rollback').to.be.an('error');
      // The store is free again (SQLite's write lock released, PostgreSQL's connection back): a write goes through.
      await world.main.database.execute(
        world.kind === 'postgres' ? `INSERT INTO ${world.table} (order_id, session_id) VALUES ($1, $2)` : `INSERT INTO ${world.table} (order_id, session_id) VALUES (?, ?)`,
        ['after', 'none'],
      );
      expect((await world.orders()).map((r) => r.order_id), 'nothing of the abandoned session').to.deep.equal(['after']);
      for (const name of RECIPIENTS) expect(await world.count(world.queues[name]), name).to.equal(0);
      expect(await world.owed()).to.equal(0);
    });

    it('the broker fails after the commit: the call still succeeds, and the sweeper sends what is owed, once', async () => {
      const web = await world.web('flush:onBeforeDispatchDeferredMessage:throw');
      await web.withTransaction((session: ITransactionalSession<PostgresTransaction | SqliteTransaction>) => world.placeOrder(session, 'B-1'));
      await eventually(async () => (await world.owed()) === 0, 'the sweeper dispatched the session', 10_000);
      await world.expectOneCopyEach(['B-1']);
    });

    it('SIGKILL after commit and before dispatch: a restarted process of the endpoint sends it, once per recipient', async () => {
      const doomed = world.child('send', { fault: 'flush:onBeforeDispatchDeferredMessage:kill', orders: 3, prefix: 'K' });
      expect((await doomed.exited).signal, 'killed at the fault point').to.equal('SIGKILL');
      expect((await world.orders()).map((r) => r.order_id), 'the first order committed').to.deep.equal(['K-0']);
      for (const name of RECIPIENTS) expect(await world.count(world.queues[name]), `${name} before the restart`).to.equal(0);
      const restarted = world.child('sweep');
      await restarted.printed('ready');
      await eventually(async () => (await world.owed()) === 0, 'the restarted process swept the session', 15_000);
      await restarted.stop();
      await world.expectOneCopyEach(['K-0']);
    });

    it('SIGKILLed sessions swept by two processes at once: each recipient gets one copy of each', async () => {
      // Five processes each die after committing one session (before its dispatch).
      for (let i = 0; i < 5; i++) {
        const doomed = world.child('send', { fault: 'flush:onBeforeDispatchDeferredMessage:kill', orders: 1, prefix: `S${i}` });
        expect((await doomed.exited).signal).to.equal('SIGKILL');
      }
      const sweepers = [world.child('sweep'), world.child('sweep')];
      await Promise.all(sweepers.map((s) => s.printed('ready')));
      const inProcess = await world.web(undefined, '100ms'); // and this process, a third
      await eventually(async () => (await world.owed()) === 0, 'the sweepers dispatched every session', 20_000);
      await Promise.all(sweepers.map((s) => s.stop()));
      await inProcess.stop();
      await world.expectOneCopyEach(['S0-0', 'S1-0', 'S2-0', 'S3-0', 'S4-0']);
    });

    it('sessions orphaned while two processes sweep: they contend for each, and each recipient still gets one copy', async () => {
      // Each send of the sweepers takes 5 ms: a pass over the sessions outlasts the 200 ms between passes.
      const sweepers = [world.child('sweep', { slowDispatchMs: 5 }), world.child('sweep', { slowDispatchMs: 5 })];
      const swept = sweepers.map(() => new Set<string>());
      for (const [i, s] of sweepers.entries()) {
        s.child.stdout!.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/swept (\S+)/g)) swept[i]!.add(m[1]!);
        });
      }
      await Promise.all(sweepers.map((s) => s.printed('ready')));
      // Sessions whose own dispatch fails: orphaned at once, while the two sweep.
      const orders = Array.from({ length: 40 }, (_, i) => `C-${i}`);
      const sender = world.child('send', { fault: 'flush:onBeforeDispatchDeferredMessage:throw:1:1000000', orders: orders.length, prefix: 'C' });
      expect((await sender.exited).code, 'the sender committed every session').to.equal(0);
      await eventually(async () => (await world.owed()) === 0, 'the sweepers dispatched every session', 30_000);
      await Promise.all(sweepers.map((s) => s.stop()));
      const counts = swept.map((s) => s.size);
      expect(counts.filter((n) => n > 0).length, `sessions swept per process: ${counts.join(', ')} (the sweeps must overlap)`).to.equal(2);
      await world.expectOneCopyEach(orders);
    });
  });
}
