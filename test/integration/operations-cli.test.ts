import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import { run } from '../../src/operations/cli/main.js';
import type { SqlIdempotenceStore } from '../../src/stores/sql/sql-idempotence-store.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { isCreateQueue } from '../../src/transport/queue.js';
import { requireService } from '../support/integration.js';
import { deleteQueues, rabbitAvailable, rabbitUri } from '../support/rabbitmq.js';
import { openPostgresStore, openSqliteStore, PG_URL, postgresAvailable } from '../support/sql-subjects.js';

const BIN = fileURLToPath(new URL('../../src/operations/cli/bin.js', import.meta.url));

function message(id: string, type = 'ops.PlaceOrder'): TransportMessage {
  return { ...emptyTransportMessage(), messageId: id, messageType: type, sendDate: Date.now() };
}

/** Runs the CLI in this process; resolves to its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * Rows as endpoints leave them: at memory://orders one message completed, one handled whose two sends
 * (a publish to two subscribers) are still owed; at memory://billing one completed, kept 1 ms (so past
 * its retention window at once: the purge's backlog).
 */
async function populate(idempotence: SqlIdempotenceStore, shortRetention: SqlIdempotenceStore): Promise<void> {
  const orders = idempotence.create('memory://orders');
  const billing = shortRetention.create('memory://billing');
  await orders.start?.();
  await billing.start?.();
  const complete = async (svc: typeof orders, tm: TransportMessage) => {
    const uow = await svc.beginUnitOfWork();
    await svc.processingStatus(tm, uow);
    await svc.messageHandled(tm, uow);
    await uow.commit();
    await svc.processingCompleted(tm);
  };
  await complete(orders, message('done-1'));
  await complete(billing, message('done-1', 'ops.Invoice'));
  const owing = message('owing-1');
  const uow = await orders.beginUnitOfWork();
  await orders.processingStatus(owing, uow);
  for (const to of ['memory://billing', 'memory://shipping']) {
    const event = { ...message('event-1', 'ops.OrderPlaced'), recipientInboxWorkQueueUri: to };
    await orders.addDeferredMessage(owing, event, Buffer.from(to), uow);
  }
  await orders.messageHandled(owing, uow);
  await uow.commit();
  await orders.releaseFlush(owing); // its process died: nobody flushes it now
  await orders.stop?.();
  await billing.stop?.();
}

const subjects = [
  {
    kind: 'sqlite',
    open: async () => {
      const s = openSqliteStore();
      return { idempotence: s.idempotence({ windowMs: 60_000 }), shortRetention: s.idempotence({ windowMs: 1 }), url: `sqlite:${s.file}`, extra: [] as string[], dispose: () => s.dispose() };
    },
  },
  {
    kind: 'postgres',
    open: async () => {
      const s = openPostgresStore();
      return { idempotence: s.idempotence({ windowMs: 60_000 }), shortRetention: s.idempotence({ windowMs: 1 }), url: PG_URL, extra: ['--schema', s.schema], dispose: () => s.dispose() };
    },
  },
] as const;

for (const subject of subjects) {
  describe(`npx oncebus idempotence … on ${subject.kind}: what an operator reads of a store`, function () {
    this.timeout(30_000);
    let world: Awaited<ReturnType<(typeof subject)['open']>>;

    before(async function () {
      if (subject.kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      world = await subject.open();
      await populate(world.idempotence, world.shortRetention);
      await new Promise((r) => setTimeout(r, 5)); // billing's row is past its 1 ms window
    });
    after(async () => world?.dispose());

    it('stats: rows by endpoint and status, the sends still owed, the oldest handled row, the retention backlog', async () => {
      const { code, out } = await cli('idempotence', 'stats', '--store', world.url, ...world.extra, '--json');
      expect(code).to.equal(0);
      const report = JSON.parse(out) as { endpoints: { endpoint: string; handled: number; completed: number; storedSends: number; oldestHandledAt: number | null; purgeable: number }[] };
      const orders = report.endpoints.find((e) => e.endpoint === 'memory://orders')!;
      expect(orders).to.include({ handled: 1, completed: 1, storedSends: 2, purgeable: 0 });
      expect(orders.oldestHandledAt).to.be.within(Date.now() - 60_000, Date.now());
      expect(report.endpoints.find((e) => e.endpoint === 'memory://billing')).to.include({ handled: 0, completed: 1, storedSends: 0, oldestHandledAt: null, purgeable: 1 });
      const text = await cli('idempotence', 'stats', '--store', world.url, ...world.extra);
      expect(text.out).to.match(/memory:\/\/orders\s+0\s+1\s+1\s+2\s+0\s+\d+s ago/);
    });

    it("stats --stuck-after: exit 3 naming the endpoint whose sends are stuck (a monitor's check)", async () => {
      await new Promise((r) => setTimeout(r, 1100));
      const stuck = await cli('idempotence', 'stats', '--store', world.url, ...world.extra, '--stuck-after', '1s');
      expect(stuck.code).to.equal(3);
      expect(stuck.err).to.contain('memory://orders');
      const calm = await cli('idempotence', 'stats', '--store', world.url, ...world.extra, '--stuck-after', '1h');
      expect(calm.code).to.equal(0);
    });

    it("show: a message's row at each endpoint, its lease and what it still owes, to whom", async () => {
      const owing = await cli('idempotence', 'show', 'owing-1', '--store', world.url, ...world.extra, '--json');
      expect(owing.code).to.equal(0);
      const { rows } = JSON.parse(owing.out) as { rows: { endpoint: string; status: string; storedSends: { recipient: string }[]; flushLease: unknown }[] };
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ endpoint: 'memory://orders', status: 'handled', flushLease: null });
      expect(rows[0]!.storedSends.map((d) => d.recipient)).to.deep.equal(['memory://billing', 'memory://shipping']);
      const done = await cli('idempotence', 'show', 'done-1', '--store', world.url, ...world.extra);
      expect(done.out).to.contain('memory://billing: completed (ops.Invoice)').and.contain('memory://orders: completed (ops.PlaceOrder)');
      const unknown = await cli('idempotence', 'show', 'no-such-id', '--store', world.url, ...world.extra);
      expect(unknown.code).to.equal(3);
      expect(unknown.err).to.contain('no idempotence row for message no-such-id');
    });
  });
}

describe('npx oncebus queues: how many messages wait, per queue', function () {
  this.timeout(30_000);

  it("counts SQLite queues by URI and an endpoint's queues from its settings file", async () => {
    const store = openSqliteStore();
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-cli-'));
    try {
      const orders = store.queues.create('sqlite://default/orders');
      const errors = store.queues.create('sqlite://default/orders-error');
      for (const q of [orders, errors]) if (isCreateQueue(q)) await q.create();
      for (const id of ['q-1', 'q-2']) await orders.enqueue(message(id), serializeTransportMessage(message(id)));
      await orders.close();
      await errors.close();
      const byUri = await cli('queues', 'sqlite://default/orders', 'sqlite://default/orders-error', '--store', `sqlite:${store.file}`, '--json');
      expect(byUri.code, byUri.err).to.equal(0);
      expect(JSON.parse(byUri.out).queues).to.deep.equal([
        { queue: 'sqlite://default/orders', messages: 2 },
        { queue: 'sqlite://default/orders-error', messages: 0 },
      ]);
      const settings = join(dir, 'orders.json');
      writeFileSync(settings, JSON.stringify({ inbox: { workQueueUri: 'sqlite://default/orders', errorQueueUri: 'sqlite://default/orders-error' } }));
      const byConfig = await cli('queues', '--config', settings, '--store', `sqlite:${store.file}`);
      expect(byConfig.code, byConfig.err).to.equal(0);
      expect(byConfig.out).to.match(/sqlite:\/\/default\/orders\s+2/).and.match(/sqlite:\/\/default\/orders-error\s+0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await store.dispose();
    }
  });

  it('counts a RabbitMQ queue without printing its credentials; a queue no transport here reaches is reported, exit 1', async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    const name = `cli-${randomUUID().slice(0, 8)}`;
    const rabbit = new RabbitMqQueueFactory();
    try {
      const q = rabbit.create(rabbitUri(name));
      if (isCreateQueue(q)) await q.create();
      for (const id of ['r-1', 'r-2', 'r-3']) await q.enqueue(message(id), serializeTransportMessage(message(id)));
      const counted = await cli('queues', rabbitUri(name), '--json');
      expect(counted.code, counted.err).to.equal(0);
      const [depth] = JSON.parse(counted.out).queues as { queue: string; messages: number }[];
      expect(depth?.messages).to.equal(3);
      expect(counted.out).to.not.contain('guest:guest');
      const unreachable = await cli('queues', rabbitUri(name), 'azuresb://ns.servicebus.windows.net/orders');
      expect(unreachable.code).to.equal(1);
      expect(unreachable.out).to.contain('no transport for');
      expect(unreachable.err).to.contain('could not count');
    } finally {
      await rabbit.close();
      await deleteQueues([name]).catch(() => undefined);
    }
  });
});

describe('npx oncebus: usage errors say what to do, with exit code 2', () => {
  it('no store, a file that does not exist, an unknown command', async () => {
    const none = await cli('idempotence', 'stats');
    expect(none.code).to.equal(2);
    expect(none.err).to.contain('--store');
    const missing = await cli('idempotence', 'stats', '--store', 'sqlite:/nonexistent/oncebus.db');
    expect(missing.code).to.equal(2);
    expect(missing.err).to.contain('no such SQLite file').and.contain('hint:');
    const wrong = await cli('idempotence', 'nonsense');
    expect(wrong.code).to.equal(2);
    const noQueues = await cli('queues');
    expect(noQueues.code).to.equal(2);
    expect(noQueues.err).to.contain('no queue given');
  });

  it('runs as a program (the package bin) and prints its help', () => {
    const help = execFileSync(process.execPath, [BIN, 'idempotence', '--help'], { encoding: 'utf8' });
    expect(help).to.contain('stats').and.contain('show');
  });
});
