import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_QUEUE_HEADER } from '../../../src/envelope/oncebus-headers.js';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { FailedMessageStore } from '../../../src/operations/errors/failed-message-store.js';
import { returnFailedMessages } from '../../../src/operations/errors/return-failed-messages.js';
import { SqliteDatabase } from '../../../src/stores/sqlite/sqlite-database.js';
import { QueueRegistry } from '../../../src/transport/queue-registry.js';
import { MemoryBroker, type MemoryQueue } from '../../../src/transports/memory/index.js';

describe('errors return: a return another process stored and did not finish', () => {
  let dir: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-return-'));
    database = new SqliteDatabase({ file: join(dir, 'ops.db') });
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is skipped saying when it resumes by itself (--resume-after, 30 s) and how to force it now', async () => {
    const store = new FailedMessageStore(database);
    const broker = new MemoryBroker();
    const tm = { ...emptyTransportMessage(), messageId: randomUUID(), messageType: 'shop.PlaceOrder', recipientInboxWorkQueueUri: 'memory://orders' };
    tm.headers[SOURCE_QUEUE_HEADER] = 'memory://orders';
    tm.failureMessages.push(`${new Date().toISOString()} orders Error: warehouse offline`);
    await store.ingest(serializeTransportMessage(tm), 'memory://orders-error', Date.now());
    const record = (await store.get(tm.messageId))!;
    const now = Date.now();
    // A returner stored the return 10 s ago and was killed before dispatching it.
    await store.transition(record.id, 'returning', 'alice', now - 10_000);

    const queues = new QueueRegistry([broker]);
    const report = await returnFailedMessages(store, queues, [record.id], { by: 'bob', clock: () => now });
    expect(report.done).to.deep.equal([]);
    const reason = report.skipped[0]?.reason ?? '';
    expect(reason).to.match(/^it is returning/);
    expect(reason).to.contain('stored 10 s ago by alice');
    expect(reason).to.contain('resumed by the next return once it is 30 s old (in 20 s)');
    expect(reason).to.contain('--resume-after 0s');
    expect(await (broker.create('memory://orders') as MemoryQueue).count()).to.equal(0);

    // Forced as the reason says: resumed now, sent once.
    const forced = await returnFailedMessages(store, queues, [], { by: 'bob', clock: () => now, resumeAfterMs: 0 });
    expect(forced.done).to.deep.equal([record.id]);
    expect(await (broker.create('memory://orders') as MemoryQueue).count()).to.equal(1);
  });
});
