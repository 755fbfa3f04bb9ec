import { expect } from 'chai';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { ConfigurationError } from '../../../src/errors/errors.js';
import type { IQueue, ReceivedMessage } from '../../../src/transport/queue.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, postgresAvailable } from '../../support/sql-subjects.js';

type Store = ReturnType<typeof openPostgresStore>;

/** A queue table's rows as PostgreSQL holds them, locked or not (what a crash would hand back). */
async function rows(store: Store, table: string): Promise<string[]> {
  const found = await store.database.query<{ body: Uint8Array }>(`SELECT body FROM ${store.schema}.q_${table} ORDER BY id`);
  return found.map((r) => Buffer.from(r.body).toString());
}

async function fill(q: IQueue, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const tm = { ...emptyTransportMessage(), messageId: `m${i}` };
    await q.enqueue(tm, Buffer.from(`body-${i}`));
  }
}

const text = (r: ReceivedMessage | null) => (r ? Buffer.from(r.body).toString() : null);

describe('a PostgreSQL queue taken in batches (?batch=N): one statement takes many rows, one commit settles them', function () {
  this.timeout(30_000);
  let store: Store;
  let opened: IQueue[] = [];

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
  });
  beforeEach(async () => {
    store = openPostgresStore();
    await store.store.ready();
  });
  afterEach(async () => {
    // An open batch holds row locks the schema's DROP would wait for.
    for (const q of opened) await q.close().catch(() => undefined);
    opened = [];
    await store.dispose();
  });

  async function open(uri: string): Promise<IQueue> {
    const q = store.queues.create(uri);
    opened.push(q);
    await (q as unknown as { create(): Promise<void> }).create();
    return q;
  }

  it('deletes the acknowledged rows only when the last row of their batch is settled, so a crash before that hands every one back', async () => {
    const q = await open('postgres://default/work?batch=10');
    await fill(q, 3);
    const got = [await q.getMessage(), await q.getMessage(), await q.getMessage()];
    expect(got.map(text)).to.deep.equal(['body-0', 'body-1', 'body-2']);
    await q.acknowledge(got[0]!.token);
    await q.acknowledge(got[1]!.token);
    // Not committed yet: the rows are there (a crash now would deliver all three again).
    expect(await rows(store, 'work')).to.deep.equal(['body-0', 'body-1', 'body-2']);
    await q.acknowledge(got[2]!.token);
    expect(await rows(store, 'work')).to.deep.equal([]);
    await q.close();
  });

  it('hands a released row out again, and keeps the taken rows from a competing consumer until the batch ends', async () => {
    const a = await open('postgres://default/work?batch=10');
    const b = await open('postgres://default/work?batch=10');
    await fill(a, 2);
    const first = await a.getMessage();
    expect(await b.getMessage(), 'the competing consumer skips the locked rows').to.equal(null);
    await a.release(first!.token);
    const again = [await a.getMessage(), await a.getMessage()];
    expect(again.map(text)).to.deep.equal(['body-0', 'body-1']);
    for (const r of again) await a.acknowledge(r!.token);
    expect(await rows(store, 'work')).to.deep.equal([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('on close, commits what was acknowledged and returns the rest to the table for the next consumer', async () => {
    const a = await open('postgres://default/work?batch=10');
    await fill(a, 4);
    const done = await a.getMessage();
    const abandoned = await a.getMessage(); // taken, never settled (a stop that gave up on its handler)
    expect(text(abandoned)).to.equal('body-1');
    await a.acknowledge(done!.token);
    await a.close();
    expect(await rows(store, 'work')).to.deep.equal(['body-1', 'body-2', 'body-3']);
    let late: unknown;
    await a.acknowledge(abandoned!.token).catch((e: unknown) => (late = e));
    expect(String(late)).to.match(/batch .* has ended/);
    const b = await open('postgres://default/work?batch=10');
    expect([text(await b.getMessage()), text(await b.getMessage()), text(await b.getMessage())]).to.deep.equal(['body-1', 'body-2', 'body-3']);
    await b.close();
  });

  it('delivers every row once while a competing consumer gives its batch back, and a row of higher priority enqueued meanwhile first', async () => {
    const a = await open('postgres://default/work?batch=5');
    const b = await open('postgres://default/work?batch=5');
    await fill(a, 20);
    const heldByB = await b.getMessage(); // b's batch locks body-0 … body-4
    const delivered: string[] = [];
    /** Takes and acknowledges n messages in a row (a whole batch of a), recording them in order. */
    const drain = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await a.getMessage();
        if (!r) return;
        delivered.push(text(r)!);
        await a.acknowledge(r.token);
      }
    };
    await drain(5); // a take: body-5 … body-9
    await a.enqueue({ ...emptyTransportMessage(), messageId: 'urgent', priority: 5 }, Buffer.from('urgent'));
    expect(text(heldByB)).to.equal('body-0');
    await b.close(); // gives body-0 … body-4 back, before where a's next take may start
    await drain(5);
    const beforeWait = delivered.length;
    await drain(100);
    const expected = ['urgent', ...Array.from({ length: 20 }, (_, i) => `body-${i}`)];
    expect([...delivered].sort()).to.deep.equal(expected.sort());
    if (!delivered.slice(0, beforeWait).includes('urgent')) expect(delivered[beforeWait]).to.equal('urgent');
    expect(await rows(store, 'work')).to.deep.equal([]);
    await a.close();
  });

  it('refuses a batch size it cannot honour, naming the setting', () => {
    expect(() => store.queues.create('postgres://default/work?batch=5000')).to.throw(ConfigurationError, /batch=5000 is more than 1000/);
    expect(() => store.queues.create('postgres://default/work?batch=ten')).to.throw(ConfigurationError, /'batch' must be a non-negative integer/);
  });
});
