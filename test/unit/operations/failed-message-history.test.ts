import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyTransportMessage, type TransportMessage } from '../../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { SOURCE_QUEUE_HEADER } from '../../../src/envelope/oncebus-headers.js';
import { FailedMessageStore } from '../../../src/operations/errors/failed-message-store.js';
import { PostgresDatabase } from '../../../src/stores/postgres/index.js';
import type { SqlDatabase } from '../../../src/stores/sql/sql-database.js';
import { SqliteDatabase } from '../../../src/stores/sqlite/sqlite-database.js';
import { requireService } from '../../support/integration.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const line = (at: number, what = 'Error: warehouse offline') => `${new Date(at).toISOString()} orders ${what}`;

/** An error-queue copy of one message, carrying these failure lines. */
function copy(messageId: string, lines: readonly string[]): Uint8Array {
  const tm: TransportMessage = { ...emptyTransportMessage(), messageId, messageType: 'shop.PlaceOrder', recipientInboxWorkQueueUri: 'memory://orders' };
  tm.headers[SOURCE_QUEUE_HEADER] = 'memory://orders';
  tm.failureMessages.push(...lines);
  return serializeTransportMessage(tm);
}

/** An operations store on a fresh database: a SQLite file, or a PostgreSQL schema of its own. */
const stores = [
  {
    name: 'SQLite',
    async open(): Promise<{ store: FailedMessageStore; dispose(): Promise<void> }> {
      const dir = mkdtempSync(join(tmpdir(), 'oncebus-history-'));
      const database = new SqliteDatabase({ file: join(dir, 'ops.db') });
      return {
        store: new FailedMessageStore(database),
        async dispose() {
          await database.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open(context: Mocha.Context): Promise<{ store: FailedMessageStore; dispose(): Promise<void> }> {
      requireService(context, 'PostgreSQL', await postgresAvailable());
      const database: SqlDatabase = new PostgresDatabase({ connectionString: PG_URL });
      const schema = `ops_history_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
      return {
        store: new FailedMessageStore(database, schema),
        async dispose() {
          await database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
          await database.close();
        },
      };
    },
  },
];

for (const kind of stores)
describe(`failed messages on ${kind.name}: times and attempts come from the failure records in the envelope, not from ingestion`, () => {
  let store: FailedMessageStore;
  let dispose: () => Promise<void> = async () => undefined;

  beforeEach(async function () {
    const opened = await kind.open(this);
    store = opened.store;
    dispose = opened.dispose;
  });
  afterEach(async () => {
    await dispose();
    dispose = async () => undefined;
  });

  it('first and last failed are the times of the first and last failure, however late it is ingested', async () => {
    const id = randomUUID();
    await store.ingest(copy(id, [line(T0), line(T0 + 60_000), line(T0 + 120_000)]), 'memory://orders-error', T0 + 5 * HOUR);
    const [m] = (await store.list()).messages;
    expect(m).to.include({ firstFailedAt: T0, lastFailedAt: T0 + 120_000 });
    const [g] = await store.groups();
    expect(g).to.include({ firstFailedAt: T0, lastFailedAt: T0 + 120_000 });
  });

  it('timesFailed counts attempts (one failure line each), across a return and new failures', async () => {
    const id = randomUUID();
    expect(await store.ingest(copy(id, [line(T0), line(T0 + 1000), line(T0 + 2000)]), 'memory://orders-error', T0 + HOUR)).to.equal('new');
    expect((await store.get(id))?.timesFailed).to.equal(3);
    const record = (await store.get(id))!;
    await store.transition(record.id, 'returning', 'alice', T0 + 2 * HOUR);
    await store.markReturned(record.id, T0 + 2 * HOUR);
    // Returned with its failures reset, it failed three more times.
    const again = [line(T0 + 3 * HOUR), line(T0 + 3 * HOUR + 1000), line(T0 + 3 * HOUR + 2000)];
    expect(await store.ingest(copy(id, again), 'memory://orders-error', T0 + 4 * HOUR)).to.equal('failed-again');
    expect(await store.get(id)).to.include({ timesFailed: 6, status: 'unresolved', firstFailedAt: T0, lastFailedAt: T0 + 3 * HOUR + 2000 });
  });

  it('two copies of one poison message (a worker killed between the copy and the acknowledgement): one record, failed twice', async () => {
    const id = randomUUID();
    const first = copy(id, [line(T0)]);
    const second = copy(id, [line(T0 + 500)]);
    expect(await store.ingest(first, 'memory://orders-error', T0 + HOUR)).to.equal('new');
    expect(await store.ingest(second, 'memory://orders-error', T0 + HOUR)).to.equal('failed-again');
    expect(await store.ingest(first, 'memory://orders-error', T0 + HOUR), 'a copy whose failures are all recorded').to.equal('already-ingested');
    const { total, messages } = await store.list();
    expect(total).to.equal(1);
    expect(messages[0]).to.include({ timesFailed: 2, firstFailedAt: T0, lastFailedAt: T0 + 500 });
  });

  it('copies sharing their first failures (a retry copy sent twice) count each attempt once', async () => {
    const id = randomUUID();
    const shared = line(T0);
    expect(await store.ingest(copy(id, [shared, line(T0 + 1000, 'Error: b')]), 'memory://orders-error', T0 + HOUR)).to.equal('new');
    expect(await store.ingest(copy(id, [shared, line(T0 + 900, 'Error: c')]), 'memory://orders-error', T0 + HOUR)).to.equal('failed-again');
    const m = (await store.get(id))!;
    expect(m.timesFailed).to.equal(3);
    // The latest failure stays the record's, though the older copy came last.
    expect(m.failureMessage).to.contain('Error: b');
    expect(m.failures.at(-1)).to.contain('Error: b');
  });

  it('a late copy of failures from before a return does not reopen the returned message', async () => {
    const id = randomUUID();
    await store.ingest(copy(id, [line(T0)]), 'memory://orders-error', T0 + HOUR);
    const record = (await store.get(id))!;
    await store.transition(record.id, 'returning', 'alice', T0 + 2 * HOUR);
    await store.markReturned(record.id, T0 + 2 * HOUR);
    expect(await store.ingest(copy(id, [line(T0 + 500)]), 'memory://orders-error', T0 + 3 * HOUR)).to.equal('failed-again');
    expect(await store.get(id)).to.include({ status: 'returned', timesFailed: 2 });
  });

  it('a failure time in the future (a forged or skewed line) is taken as the time of ingestion', async () => {
    const id = randomUUID();
    await store.ingest(copy(id, [line(T0 + 100 * HOUR)]), 'memory://orders-error', T0 + HOUR);
    expect(await store.get(id)).to.include({ firstFailedAt: T0 + HOUR, lastFailedAt: T0 + HOUR });
  });
});
