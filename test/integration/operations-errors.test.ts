import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { run } from '../../src/operations/cli/main.js';
import type { FailedMessage, FailedMessageDetail, FailureGroup } from '../../src/operations/errors/index.js';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';

import { type IQueueFactory, isCreateQueue } from '../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { requireService } from '../support/integration.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { PlaceOrder } from '../support/messages.js';
import type { OpsChildConfig } from '../support/ops-child.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from '../support/rabbitmq.js';
import { openPostgresStore, openSqliteStore, PG_URL, postgresAvailable } from '../support/sql-subjects.js';
import { UNREADABLE_MESSAGE_TYPE } from '../../src/envelope/oncebus-headers.js';

const CHILD = fileURLToPath(new URL('../support/ops-child.js', import.meta.url));

/** What the endpoint's handler did: a message handled for good (once per messageId, with idempotence). */
const handled: string[] = [];
let broken = true;

@handlesMessage(PlaceOrder)
class WarehouseHandler implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    if (broken) throw new Error(`warehouse offline for order '${ctx.message.orderId}' (attempt at ${Date.now()})`);
    handled.push(ctx.transportMessage.messageId);
  }
}

/** Runs the CLI in this process; resolves to its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface World {
  readonly queues: IQueueFactory;
  readonly idempotence: unknown;
  readonly work: string;
  readonly error: string;
  /** --transport of the CLI: where the queues are. */
  readonly transport: string;
  /** --store (and --schema) of the CLI: the operations store. */
  readonly ops: string[];
  dispose(): Promise<void>;
}

async function sqliteWorld(): Promise<World> {
  const store = openSqliteStore();
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-ops-'));
  return {
    queues: store.queues,
    idempotence: store.idempotence(),
    work: 'sqlite://default/ops-orders',
    // A short lease: a delivery taken by a process that died comes back after it (SQLite queues lease, not lock).
    error: 'sqlite://default/ops-orders-error?lease=300',
    transport: `sqlite:${store.file}`,
    ops: ['--store', `sqlite:${join(dir, 'ops.db')}`],
    async dispose() {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function rabbitWorld(): Promise<World> {
  const store = openPostgresStore();
  const id = randomUUID().slice(0, 8);
  const rabbit = new RabbitMqQueueFactory();
  const broker = new URL(RABBITMQ_URL);
  const opsSchema = `ops_${id}`;
  return {
    queues: rabbit,
    idempotence: store.idempotence(),
    work: `rabbitmq://${broker.username}:${broker.password}@${broker.host}/ops-orders-${id}`,
    error: `rabbitmq://${broker.username}:${broker.password}@${broker.host}/ops-orders-${id}-error`,
    transport: `rabbitmq://${broker.username}:${broker.password}@${broker.host}`,
    ops: ['--store', PG_URL, '--schema', opsSchema],
    async dispose() {
      await rabbit.close();
      await deleteQueues([`ops-orders-${id}`, `ops-orders-${id}-error`]).catch(() => undefined);
      await store.database.execute(`DROP SCHEMA IF EXISTS ${opsSchema} CASCADE`).catch(() => undefined);
      await store.dispose();
    },
  };
}

async function endpoint(world: World): Promise<IServiceBus> {
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(world.queues);
  c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(world.idempotence);
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(c, {
    name: 'ops-orders',
    handlers: [WarehouseHandler],
    idempotence: true,
    inbox: { workQueueUri: world.work, errorQueueUri: world.error, maximumFailureCount: 3, durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['50ms'] },
  });
  const bus = c.get<IServiceBus>(TYPES.ServiceBus);
  await bus.start();
  return bus;
}

/** Sends one order and resolves once it reached the error queue (3 failed attempts). */
async function failOne(bus: IServiceBus, orderId: string): Promise<string> {
  const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 20_000);
  const sent = await bus.send(new PlaceOrder(orderId), { local: true });
  await failed;
  return sent.messageId;
}

function child(config: OpsChildConfig): Promise<NodeJS.Signals | null> {
  const c = spawn(process.execPath, [CHILD], { env: { ...process.env, OPS_CHILD: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => c.on('exit', (_code, signal) => resolve(signal)));
}

const worlds = [
  { name: 'SQLite (queues and store in one file)', open: sqliteWorld, needs: async (_ctx: Mocha.Context) => undefined },
  {
    name: 'RabbitMQ + PostgreSQL',
    open: rabbitWorld,
    needs: async (ctx: Mocha.Context) => {
      requireService(ctx, 'RabbitMQ', await rabbitAvailable());
      requireService(ctx, 'PostgreSQL', await postgresAvailable());
    },
  },
];

for (const kind of worlds) {
  describe(`failed messages on ${kind.name}: ingested, grouped, returned once (npx oncebus errors …)`, function () {
    this.timeout(60_000);
    let world: World;
    let bus: IServiceBus;

    beforeEach(async function () {
      await kind.needs(this);
      handled.length = 0;
      broken = true;
      world = await kind.open();
      bus = await endpoint(world);
    });
    afterEach(async () => {
      await bus?.stop();
      await world?.dispose();
    });

    const ops = (...args: string[]) => cli('errors', ...args, ...world.ops);

    it('fails 3 times → error queue → ingested once → seen by group → returned from the CLI → handled once', async () => {
      const messageId = await failOne(bus, 'A-17');
      const first = await ops('ingest', world.error, '--transport', world.transport, '--json');
      expect(first.code, first.err).to.equal(0);
      expect(JSON.parse(first.out)).to.deep.equal({ new: 1, failedAgain: 0, alreadyIngested: 0 });
      const again = await ops('ingest', world.error, '--transport', world.transport, '--json');
      expect(JSON.parse(again.out), 'the error queue was emptied').to.deep.equal({ new: 0, failedAgain: 0, alreadyIngested: 0 });

      const { groups } = JSON.parse((await ops('groups', '--json')).out) as { groups: FailureGroup[] };
      expect(groups).to.have.length(1);
      expect(groups[0]).to.include({ messageType: 'test.PlaceOrder', exceptionType: 'Error', count: 1 });
      expect(groups[0]!.title).to.equal("test.PlaceOrder: Error: warehouse offline for order <value> (attempt at <n>)");

      const listed = JSON.parse((await ops('list', '--search', 'WAREHOUSE', '--json')).out) as { total: number; messages: FailedMessage[] };
      expect(listed.total).to.equal(1);
      const record = listed.messages[0]!;
      expect(record).to.include({ messageId, status: 'unresolved', timesFailed: 3, sourceQueue: world.queues.address?.(world.work) ?? world.work });
      expect(record.sourceQueue, 'no credentials in what is recorded').not.to.contain('guest:');
      expect(JSON.parse((await ops('list', '--search', 'no such text', '--json')).out).total).to.equal(0);

      const shown = JSON.parse((await ops('show', record.id, '--json')).out) as FailedMessageDetail & { headers: Record<string, string>; body: unknown };
      expect(shown.failures).to.have.length(3);
      expect(shown.body).to.deep.equal({ orderId: 'A-17', amount: 0 });
      expect(shown.stack).to.contain('WarehouseHandler');
      expect(shown.headers['oncebus-exception-type']).to.equal('Error');

      broken = false;
      const returned = await ops('return', record.id, '--by', 'alice', '--transport', world.transport);
      expect(returned.code, returned.err).to.equal(0);
      expect(returned.out).to.contain('returned 1');
      await eventually(async () => handled.length === 1, 'the endpoint handled the returned message', 15_000);
      expect(handled).to.deep.equal([messageId]);

      const after = JSON.parse((await ops('show', messageId, '--json')).out) as FailedMessageDetail;
      expect(after).to.include({ status: 'returned', statusBy: 'alice' });
      expect(after.actions.map((a) => `${a.action} by ${a.by}`)).to.deep.equal(['return by alice']);
      const twice = await ops('return', record.id, '--transport', world.transport);
      expect(twice.code, 'a message already returned is not returned again').to.equal(1);
      expect(twice.err).to.contain('it is returned');
      await new Promise((r) => setTimeout(r, 300));
      expect(handled, 'handled once').to.deep.equal([messageId]);
    });

    it('a message that fails again after its return is the same record, every attempt counted; a deleted one leaves the lists', async () => {
      const messageId = await failOne(bus, 'B-1');
      await ops('ingest', world.error, '--transport', world.transport);
      const { messages } = JSON.parse((await ops('list', '--json')).out) as { messages: FailedMessage[] };
      const failedAgain = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 20_000);
      expect((await ops('return', '--all', '--transport', world.transport)).code).to.equal(0);
      await failedAgain;
      const second = JSON.parse((await ops('ingest', world.error, '--transport', world.transport, '--json')).out);
      expect(second).to.include({ failedAgain: 1, new: 0 });
      const record = JSON.parse((await ops('show', messages[0]!.id, '--json')).out) as FailedMessageDetail;
      // Attempts, from the failure records: three before the return, three after.
      expect(record).to.include({ messageId, status: 'unresolved', timesFailed: 6 });

      const deleted = await ops('delete', '--group', record.groupId, '--by', 'bob');
      expect(deleted.out).to.contain('deleted 1');
      expect(JSON.parse((await ops('list', '--json')).out).total).to.equal(0);
      const archived = JSON.parse((await ops('list', '--status', 'archived', '--json')).out) as { messages: FailedMessage[] };
      expect(archived.messages.map((m) => [m.messageId, m.statusBy])).to.deep.equal([[messageId, 'bob']]);
      expect(handled).to.deep.equal([]);
    });

    it('SIGKILL after recording and before acknowledging: the delivery comes back and is recorded once', async () => {
      await failOne(bus, 'K-1');
      const opsStore = world.ops[1]!;
      const opsSchema = world.ops[3];
      expect(await child({ mode: 'ingest', kill: 'before-ack', opsStore, opsSchema, transport: world.transport, errorQueue: world.error })).to.equal('SIGKILL');
      await new Promise((r) => setTimeout(r, 400)); // past the SQLite queue's lease on the delivery the child took
      const resumed = JSON.parse((await ops('ingest', world.error, '--transport', world.transport, '--json')).out);
      expect(resumed).to.deep.equal({ new: 0, failedAgain: 0, alreadyIngested: 1 });
      const { messages } = JSON.parse((await ops('list', '--json')).out) as { messages: FailedMessage[] };
      expect(messages.map((m) => m.timesFailed), 'its three attempts, counted once').to.deep.equal([3]);
    });

    for (const kill of ['before-dispatch', 'before-mark'] as const) {
      it(`SIGKILL in a return (${kill}): the next operations run finishes it, and the endpoint handles it once`, async () => {
        const messageId = await failOne(bus, `R-${kill}`);
        await ops('ingest', world.error, '--transport', world.transport);
        const { messages } = JSON.parse((await ops('list', '--json')).out) as { messages: FailedMessage[] };
        broken = false;
        const opsStore = world.ops[1]!;
        const opsSchema = world.ops[3];
        expect(await child({ mode: 'return', kill, opsStore, opsSchema, transport: world.transport, errorQueue: world.error, id: messages[0]!.id })).to.equal('SIGKILL');
        const stuck = JSON.parse((await ops('show', messageId, '--json')).out) as FailedMessageDetail;
        expect(stuck.status, 'the return was stored before anything was sent').to.equal('returning');
        // A return stored moments ago may be a live process's, still sending it: not resumed yet.
        const early = await ops('return', '--all', '--transport', world.transport);
        expect(early.code, early.err).to.equal(0);
        expect(early.out.trim()).to.equal('returned 0');
        await new Promise((r) => setTimeout(r, 500));
        if (kill === 'before-dispatch') expect(handled, 'nothing sent while the return may be another process’s').to.deep.equal([]);
        expect((JSON.parse((await ops('show', messageId, '--json')).out) as FailedMessageDetail).status).to.equal('returning');
        // Once it is older than --resume-after, any later return resumes what the dead process left.
        const resumed = await ops('return', '--all', '--transport', world.transport, '--resume-after', '0s');
        expect(resumed.code, resumed.err).to.equal(0);
        await eventually(async () => handled.length >= 1, 'the endpoint handled the returned message', 15_000);
        await new Promise((r) => setTimeout(r, 500)); // a second copy (before-mark) would be handled by now
        expect(handled, 'handled once').to.deep.equal([messageId]);
        expect((JSON.parse((await ops('show', messageId, '--json')).out) as FailedMessageDetail).status).to.equal('returned');
      });
    }
  });
}

describe('failed messages that are not readable envelopes: kept byte-exact, returned as they came or only deleted', () => {
  it('records raw bytes and an endpoint-wrapped unreadable message; returns the original bytes, refuses to return raw ones', async () => {
    const store = openSqliteStore();
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-ops-'));
    const ops = ['--store', `sqlite:${join(dir, 'ops.db')}`];
    try {
      const errorQueue = store.queues.create('sqlite://default/raw-error');
      const source = store.queues.create('sqlite://default/raw');
      for (const q of [errorQueue, source]) if (isCreateQueue(q)) await q.create();
      const garbage = Buffer.from([0x00, 0xff, 0x10, 0x41]);
      await errorQueue.enqueue({ ...emptyTransportMessage(), messageId: 'raw-1' }, garbage);
      // What an endpoint puts in its error queue for bytes it could not read (FailedMessageMover.enqueueUnreadable).
      const original = Buffer.from('{"this is": "not an envelope"');
      const wrapper = { ...emptyTransportMessage(), messageId: 'wrapped-1', messageType: UNREADABLE_MESSAGE_TYPE, message: original, sendDate: Date.now() };
      wrapper.headers['oncebus-source-queue'] = 'sqlite://default/raw';
      wrapper.failureMessages.push('2026-12-03T10:00:00.000Z raw CorruptEnvelopeError: not JSON');
      await errorQueue.enqueue(wrapper, serializeTransportMessage(wrapper));
      const transport = ['--transport', `sqlite:${store.file}`];
      const ingested = await cli('errors', 'ingest', 'sqlite://default/raw-error', ...transport, ...ops, '--json');
      expect(JSON.parse(ingested.out)).to.include({ new: 2 });
      const { messages } = JSON.parse((await cli('errors', 'list', ...ops, '--json')).out) as { messages: FailedMessage[] };
      const raw = messages.find((m) => m.messageType === 'oncebus.UnreadableBytes')!;
      const wrapped = messages.find((m) => m.messageType === UNREADABLE_MESSAGE_TYPE)!;
      expect(raw.exceptionType).to.equal('CorruptEnvelopeError');
      expect(wrapped).to.include({ messageId: 'wrapped-1', exceptionType: 'CorruptEnvelopeError', sourceQueue: 'sqlite://default/raw' });

      const refused = await cli('errors', 'return', raw.id, ...transport, ...ops);
      expect(refused.code).to.equal(1);
      expect(refused.err).to.contain('can only be deleted');
      expect((await cli('errors', 'delete', raw.id, ...ops)).code).to.equal(0);

      expect((await cli('errors', 'return', wrapped.id, ...transport, ...ops)).code).to.equal(0);
      const back = await source.getMessage();
      expect(Buffer.from(back!.body).equals(original), 'the bytes the endpoint could not read, as they came').to.equal(true);
      await source.acknowledge(back!.token);
      await errorQueue.close();
      await source.close();
    } finally {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npx oncebus errors: usage', () => {
  it('names what is missing: the operations store, the messages to act on', async () => {
    const noStore = await cli('errors', 'list');
    expect(noStore.code).to.equal(2);
    expect(noStore.err).to.contain('--store');
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-ops-'));
    try {
      const nothing = await cli('errors', 'return', '--store', `sqlite:${join(dir, 'ops.db')}`);
      expect(nothing.code).to.equal(2);
      expect(nothing.err).to.contain('--group');
      const unknown = await cli('errors', 'show', 'nope', '--store', `sqlite:${join(dir, 'ops.db')}`);
      expect(unknown.code).to.equal(3);
      expect(unknown.err).to.contain('no failed message nope');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
