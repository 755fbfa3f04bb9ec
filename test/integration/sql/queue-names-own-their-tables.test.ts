import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/errors.js';
import { isCreateQueue, type IQueue, type IQueueFactory } from '../../../src/transport/queue.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

async function create(q: IQueue): Promise<unknown> {
  if (!isCreateQueue(q)) throw new Error('a SQL queue can be created');
  return q.create().then(
    () => 'created',
    (e: unknown) => e,
  );
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`${kind} queue tables: two queue names never share one table`, function () {
    this.timeout(20_000);
    let store: { queues: IQueueFactory; dispose(): Promise<void> } | null = null;

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      store = kind === 'postgres' ? openPostgresStore() : openSqliteStore();
    });
    after(() => store?.dispose());

    for (const [first, second] of [
      ['orders-in', 'orders_in'],
      ['orders.out', 'orders-out'],
      ['Shipping', 'shipping'],
    ] as const) {
      it(`refuses '${second}' once '${first}' holds the table both map to, naming both`, async () => {
        const a = store!.queues.create(`${kind}://default/${first}`);
        const b = store!.queues.create(`${kind}://default/${second}`);
        expect(await create(a)).to.equal('created');
        const error = await create(b);
        expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_CONFIGURATION');
        expect((error as Error).message).to.include(`queue '${second}' would share its table with queue '${first}'`);
        // Sending and receiving on the refused name fail the same way; the first name works on.
        expect(await b.getMessage().then(() => 'taken', (e: unknown) => OncebusError.is(e) && e.code)).to.equal('ONCEBUS_CONFIGURATION');
        expect(await a.getMessage()).to.equal(null);
        await a.close();
        await b.close();
      });
    }
  });
}
