import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import { addOncebus } from '../../src/di/add-oncebus.js';
import { TYPES } from '../../src/di/tokens.js';
import { createSilentLogger } from '../../src/logging/logger.js';
import { run } from '../../src/operations/cli/main.js';
import { SagaModule } from '../../src/sagas/saga-module.js';
import type { SqlIdempotenceStore } from '../../src/stores/sql/sql-idempotence-store.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import { eventually } from '../support/latch.js';
import { orderSaga } from '../sagas/order-saga.js';
import { CancelOrder, OrderPlaced, PaymentReceived, ShipOrder } from '../sagas/saga-messages.js';
import { sagaTableOf } from '../../src/operations/sagas/saga-instances.js';
import { stringifyTagged } from '../../src/serialization/tagged-json.js';
import type { SqlStore } from '../../src/stores/sql/operations.js';
import { requireService } from '../support/integration.js';
import { openPostgresStore, openSqliteStore, PG_URL, postgresAvailable } from '../support/sql-subjects.js';

/** Where the saga's ShipOrder and CancelOrder go: a queue the test reads. */
const outRoutes = (name: string) => [{ uri: `memory://${name}-out`, specifications: [{ types: [ShipOrder, CancelOrder] }] }];

/** Runs the CLI in this process; resolves to its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The state A-1's handlers left: tagged values, secrets, and a terminal escape from a message. */
const A1_STATE = {
  data: {
    orderId: 'A-1',
    placedAt: new Date('2026-12-01T10:00:00.000Z'),
    amountCents: 12345678901234567890n,
    lines: new Map([['sku-1', 2]]),
    password: 'hunter2',
    callback: 'postgres://shop:s3cret@db/shop',
    note: 'paid\u001b[2Jcleared',
  },
  timeouts: { PaymentDue: 'token-1' },
};

/** Writes saga rows as the runtime leaves them (the table straight: the operations tools read it so). */
async function insert(store: SqlStore, row: { type: string; correlation: string; id: string; version: number; createdAgo: number; updatedAgo: number; completedAgo?: number; state: Uint8Array }, now: number) {
  await store.database.execute(
    `INSERT INTO ${sagaTableOf(store)} (saga_type, correlation_id, instance_id, state, version, created_at, updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.type, row.correlation, row.id, row.state, row.version, now - row.createdAgo, now - row.updatedAgo, row.completedAgo === undefined ? null : now - row.completedAgo],
  );
}

/** An endpoint on memory queues whose idempotence store — and so its saga instances — is the SQL store under test. */
function sagaEndpoint(idempotence: SqlIdempotenceStore, sagaName: string) {
  const container = new Container();
  container.bind(TYPES.QueueFactory).toConstantValue(new MemoryBroker());
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(idempotence);
  container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  container.bind(TYPES.Module).toConstantValue(new SagaModule());
  const endpoint = `cli-sagas-${randomUUID().slice(0, 8)}`;
  addOncebus(container, {
    idempotence: true,
    handlers: [...orderSaga(sagaName).handlers],
    routes: outRoutes(endpoint),
    inbox: { workQueueUri: `memory://${endpoint}`, errorQueueUri: `memory://${endpoint}-error`, deferredQueueUri: `memory://${endpoint}-deferred`, durationToSleepWhenIdle: ['5ms'] },
  });
  return container.get<import('../../src/bus/service-bus.js').IServiceBus>(TYPES.ServiceBus);
}

const json = (value: unknown): Uint8Array => Buffer.from(stringifyTagged(value));

const subjects = [
  {
    kind: 'sqlite',
    open: async () => {
      const s = openSqliteStore();
      return { store: s.store, idempotence: () => s.idempotence(), url: `sqlite:${s.file}`, extra: [] as string[], dispose: () => s.dispose() };
    },
  },
  {
    kind: 'postgres',
    open: async () => {
      const s = openPostgresStore();
      return { store: s.store, idempotence: () => s.idempotence(), url: PG_URL, extra: ['--schema', s.schema], dispose: () => s.dispose() };
    },
  },
] as const;

for (const subject of subjects) {
  describe(`npx oncebus sagas … on ${subject.kind}: the saga instances an operator looks into`, function () {
    this.timeout(30_000);
    let world: Awaited<ReturnType<(typeof subject)['open']>>;
    const ids = { a0: randomUUID(), a1: randomUUID(), a2: randomUUID(), b1: randomUUID(), big: randomUUID(), binary: randomUUID() };

    before(async function () {
      if (subject.kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      world = await subject.open();
      await world.store.ready();
      const now = Date.now();
      const s = world.store;
      await insert(s, { type: 'OrderFulfilment', correlation: 'A-0', id: ids.a0, version: 4, createdAgo: 3 * HOUR, updatedAgo: MINUTE, completedAgo: MINUTE, state: json({ data: { orderId: 'A-0' }, timeouts: {} }) }, now);
      await insert(s, { type: 'OrderFulfilment', correlation: 'A-1', id: ids.a1, version: 3, createdAgo: 2 * HOUR, updatedAgo: HOUR, state: json(A1_STATE) }, now);
      await insert(s, { type: 'OrderFulfilment', correlation: 'A-2', id: ids.a2, version: 1, createdAgo: MINUTE, updatedAgo: MINUTE, state: json({ data: { orderId: 'A-2' }, timeouts: {} }) }, now);
      await insert(s, { type: 'Billing', correlation: 'B-1', id: ids.b1, version: 2, createdAgo: 5 * HOUR, updatedAgo: 5 * HOUR, state: json({ data: {}, timeouts: {} }) }, now);
      await insert(s, { type: 'Billing', correlation: 'B-big', id: ids.big, version: 1, createdAgo: 2, updatedAgo: 0, state: json({ data: { blob: 'x'.repeat(1024 * 1024 + 1) } }) }, now);
      await insert(s, { type: 'Billing', correlation: 'B-bin', id: ids.binary, version: 1, createdAgo: 1, updatedAgo: 0, state: new Uint8Array([0xff, 0x00, 0x01]) }, now);
    });
    after(async () => world?.dispose());

    it('list: every instance by type, the oldest first, with version, times, age and whether it completed', async () => {
      const { code, out } = await cli('sagas', 'list', '--store', world.url, ...world.extra, '--json');
      expect(code).to.equal(0);
      const report = JSON.parse(out) as { total: number; instances: { sagaType: string; correlationId: string; instanceId: string; version: number; completedAt: number | null; ageMs: number; stateBytes: number }[] };
      expect(report.total).to.equal(6);
      expect(report.instances.map((r) => `${r.sagaType}/${r.correlationId}`)).to.deep.equal(['Billing/B-1', 'Billing/B-big', 'Billing/B-bin', 'OrderFulfilment/A-0', 'OrderFulfilment/A-1', 'OrderFulfilment/A-2']);
      const a1 = report.instances.find((r) => r.correlationId === 'A-1')!;
      expect(a1).to.include({ instanceId: ids.a1, version: 3, completedAt: null, stateBytes: json(A1_STATE).length });
      expect(a1.ageMs).to.be.within(2 * HOUR, 2 * HOUR + MINUTE);
      expect(report.instances.find((r) => r.correlationId === 'A-0')!.completedAt).to.be.a('number');

      const text = await cli('sagas', 'list', '--store', world.url, ...world.extra, '--type', 'OrderFulfilment', '--limit', '2');
      expect(text.code).to.equal(0);
      expect(text.out).to.contain('3 saga instance(s) of OrderFulfilment in').and.contain('(the first 2)');
      expect(text.out).to.match(new RegExp(`OrderFulfilment\\s+A-1\\s+${ids.a1}\\s+3\\s+\\S+Z\\s+1h 00m ago\\s+2h 00m\\s+no`));
      expect(text.out).to.match(/A-0 .* yes, 1m \d\ds ago/).and.not.contain('A-2');
    });

    it('list --older-than: the open instances started longer ago (completed ones are not stuck), exit 3 for a monitor', async () => {
      const stuck = await cli('sagas', 'list', '--store', world.url, ...world.extra, '--older-than', '90m', '--json');
      expect(stuck.code).to.equal(3);
      expect(stuck.err).to.contain('stuck: 2 saga instance(s) open longer than 90m');
      expect((JSON.parse(stuck.out) as { instances: { correlationId: string }[] }).instances.map((r) => r.correlationId)).to.deep.equal(['B-1', 'A-1']);
      const ofType = await cli('sagas', 'list', '--store', world.url, ...world.extra, '--older-than', '90m', '--type', 'OrderFulfilment');
      expect(ofType.code).to.equal(3);
      expect(ofType.out).to.contain(ids.a1).and.not.contain('B-1');
      const calm = await cli('sagas', 'list', '--store', world.url, ...world.extra, '--older-than', '1d');
      expect(calm.code).to.equal(0);
      expect(calm.out).to.contain('no saga instances open longer than 1d in');
    });

    it('show: the row and the state decoded (Date, bigint, Map), secrets masked, escapes inert on a terminal', async () => {
      const shown = await cli('sagas', 'show', ids.a1, '--store', world.url, ...world.extra, '--json');
      expect(shown.code).to.equal(0);
      const detail = JSON.parse(shown.out) as { sagaType: string; version: number; state: { data: Record<string, unknown>; timeouts: unknown }; stateNote: string | null };
      expect(detail).to.include({ sagaType: 'OrderFulfilment', version: 3, stateNote: null });
      expect(detail.state.data).to.deep.equal({
        orderId: 'A-1',
        placedAt: '2026-12-01T10:00:00.000Z',
        amountCents: '12345678901234567890',
        lines: { 'sku-1': 2 },
        password: '***',
        callback: 'postgres://shop:***@db/shop',
        note: 'paid\u001b[2Jcleared',
      });
      expect(detail.state.timeouts).to.deep.equal({ PaymentDue: 'token-1' });
      expect(shown.out, 'JSON escapes the ESC as \\u001b').to.not.contain('\u001b');

      const text = await cli('sagas', 'show', ids.a1, '--store', world.url, ...world.extra);
      expect(text.code).to.equal(0);
      expect(text.out).to.contain(`OrderFulfilment ${ids.a1} (open)`).and.contain('correlation id A-1').and.contain('"amountCents": "12345678901234567890"');
      expect(text.out).to.not.contain('hunter2').and.not.contain('s3cret').and.not.contain('\u001b');
    });

    it('show: a state too large is not read, one not tagged JSON is not decoded, an unknown id exits 3', async () => {
      const big = await cli('sagas', 'show', ids.big, '--store', world.url, ...world.extra, '--json');
      expect(big.code).to.equal(0);
      expect(JSON.parse(big.out)).to.include({ state: null }).and.have.property('stateNote').that.matches(/^\d+ bytes: too large to show here/);
      const binary = await cli('sagas', 'show', ids.binary, '--store', world.url, ...world.extra);
      expect(binary.out).to.contain('state (3 bytes; not tagged JSON');
      const unknown = await cli('sagas', 'show', randomUUID(), '--store', world.url, ...world.extra);
      expect(unknown.code).to.equal(3);
      expect(unknown.err).to.match(/^no saga instance /);
      const badLimit = await cli('sagas', 'list', '--store', world.url, ...world.extra, '--limit', '0');
      expect(badLimit.code).to.equal(2);
    });

    it('what a real saga run left: its instance listed and its state shown as the runtime wrote it', async () => {
      const name = `CliOrder_${subject.kind}`;
      const bus = sagaEndpoint(world.idempotence(), name);
      await bus.start();
      try {
        let listed: { instances: { instanceId: string; version: number; completedAt: number | null }[] } = { instances: [] };
        const saved = (version: number) => async () => {
          listed = JSON.parse((await cli('sagas', 'list', '--store', world.url, ...world.extra, '--type', name, '--json')).out);
          return listed.instances[0]?.version === version;
        };
        await bus.send(new OrderPlaced('r-1', 7), { local: true });
        await eventually(saved(1), 'the instance is started');
        // Only now: a payment handled before its order started would find no instance (ordering is not guaranteed).
        await bus.send(new PaymentReceived('r-1'), { local: true });
        await eventually(saved(2), 'the payment is saved');
        const [instance] = listed.instances;
        expect(instance?.completedAt).to.equal(null);
        const shown = await cli('sagas', 'show', instance!.instanceId, '--store', world.url, ...world.extra, '--json');
        const { state } = JSON.parse(shown.out) as { state: { data: Record<string, unknown>; timeouts: Record<string, string> } };
        expect(state.data).to.include({ orderId: 'r-1', paid: true, reserved: false, placedAt: '2026-12-07T10:00:00.000Z', total: '700000000000000000000' });
        expect(state.data.notes).to.deep.equal({ placed: 7 });
        expect(Object.keys(state.timeouts)).to.deep.equal(['sagatest.PaymentDue']);
      } finally {
        await bus.stop();
      }
    });

    it('a schema that predates sagas: exit 1 saying how to migrate it (last: it drops the table)', async () => {
      await world.store.database.execute(`DROP TABLE ${sagaTableOf(world.store)}`);
      const { code, err } = await cli('sagas', 'list', '--store', world.url, ...world.extra);
      expect(code).to.equal(1);
      expect(err).to.match(/has no sagas table: its schema predates sagas\nhint: migrate it: npx oncebus migrate --store /);
    });
  });
}
