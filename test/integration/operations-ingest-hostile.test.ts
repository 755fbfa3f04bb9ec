import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { FailedMessage } from '../../src/operations/errors/index.js';
import { requireService } from '../support/integration.js';
import { type OpsBench, openOpsBench } from '../support/ops-bench.js';
import { openPostgresStore, PG_URL, postgresAvailable } from '../support/sql-subjects.js';

// Whatever a failed message holds, ingestion records it and goes on to the next: a message the operations
// store cannot take as it is must not sit at the head of the error queue with everything behind it.
const stores = [
  { name: 'PostgreSQL', needs: postgresAvailable, ops: (schema: string) => ['--store', PG_URL, '--schema', schema] },
  { name: 'SQLite', needs: async () => true, ops: () => undefined },
];

for (const kind of stores) {
  describe(`errors ingest into ${kind.name}: hostile bytes in a failed message's fields`, function () {
    this.timeout(30_000);
    let bench: OpsBench;
    const schema = `ops_${randomUUID().slice(0, 8)}`;

    beforeEach(async function () {
      requireService(this, kind.name, await kind.needs());
      bench = await openOpsBench({ ops: kind.ops(schema) });
    });
    afterEach(async () => {
      await bench?.dispose();
      if (kind.name === 'PostgreSQL') {
        const cleanup = openPostgresStore();
        await cleanup.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await cleanup.dispose();
      }
    });

    it('a NUL in the message type, the exception and the failure: recorded (the NUL escaped), and the message behind it too', async () => {
      await bench.forge({
        messageId: 'with-nul',
        messageType: 'shop.Place\u0000Order',
        headers: { 'oncebus-exception-type': 'Err\u0000or' },
        failureMessages: ['2026-12-03T10:00:00.000Z shop Error: bad \u0000 byte'],
      });
      await bench.forge({ messageId: 'behind-it' });
      const ingested = await bench.ingest();
      expect(ingested.code, ingested.err).to.equal(0);
      expect(JSON.parse(ingested.out)).to.deep.include({ new: 2 });
      const { messages } = JSON.parse((await bench.errors('list', '--json')).out) as { messages: FailedMessage[] };
      const hostile = messages.find((m) => m.messageId === 'with-nul');
      expect(hostile, 'recorded').to.include({ messageType: 'shop.Place\\u0000Order', exceptionType: 'Err\\u0000or' });
      expect(messages.map((m) => m.messageId)).to.include('behind-it');
      // The envelope itself is kept byte-exact: the body shown is the one sent.
      const shown = JSON.parse((await bench.errors('show', 'with-nul', '--json')).out) as { body: unknown };
      expect(shown.body).to.deep.equal({ orderId: 1 });
    });

    it('a source queue of 100,000 characters (past any index row): recorded, never to be returned, and the message behind it too', async () => {
      await bench.forge({ messageId: 'long-source', headers: { 'oncebus-source-queue': `sqlite://default/${'q'.repeat(100_000)}` } });
      await bench.forge({ messageId: 'behind-it' });
      const ingested = await bench.ingest();
      expect(ingested.code, ingested.err).to.equal(0);
      expect(JSON.parse(ingested.out)).to.deep.include({ new: 2 });
      const { messages } = JSON.parse((await bench.errors('list', '--json')).out) as { messages: FailedMessage[] };
      expect(messages.map((m) => m.messageId).sort()).to.deep.equal(['behind-it', 'long-source']);
      const long = messages.find((m) => m.messageId === 'long-source')!;
      expect(long.sourceQueue.startsWith('sqlite://default/qqqq'), 'kept as its start and a hash').to.equal(true);
      expect(long.sourceQueue.length).to.be.at.most(512);
      const returned = await bench.errors('return', long.id, '--transport', bench.transport);
      expect(returned.code).to.equal(1);
      expect(returned.out).to.contain('refused');
    });
  });
}
