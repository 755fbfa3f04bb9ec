import { expect } from 'chai';
import pg from 'pg';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { PostgresNotifier, queueChannel } from '../../../src/stores/postgres/postgres-notifier.js';
import type { IQueue } from '../../../src/transport/queue.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

describe('PostgreSQL queues wake their receivers (LISTEN/NOTIFY) instead of leaving them to poll', function () {
  // A wait that is never woken runs its full minute: the test's own timeout is what fails it.
  this.timeout(10_000);
  let store: ReturnType<typeof openPostgresStore>;
  let queue: IQueue;

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
  });
  beforeEach(async () => {
    store = openPostgresStore();
    await store.store.ready();
    queue = store.queues.create('postgres://default/work');
    await (queue as unknown as { create(): Promise<void> }).create();
  });
  afterEach(async () => {
    await queue.close();
    await store.dispose();
  });

  const message = (id: string) => ({ ...emptyTransportMessage(), messageId: id });

  it("notifies the store's channel with the table's name when an insert commits, not before", async () => {
    const listener = new pg.Client({ connectionString: PG_URL });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`LISTEN "${queueChannel(store.schema)}"`);
    try {
      const uow = await store.idempotence().create('postgres://default/inbox').beginUnitOfWork();
      await queue.enqueue(message('in-a-transaction'), Buffer.from('x'), uow);
      await listener.query('SELECT 1'); // a round trip: a notification sent by now has arrived
      expect(heard, 'nothing before the commit').to.deep.equal([]);
      await uow.commit();
      await queue.enqueue(message('alone'), Buffer.from('y'));
      await listener.query('SELECT 1');
      expect(heard).to.deep.equal(['q_work', 'q_work']);
    } finally {
      await listener.end();
    }
  });

  it('wakes a receiver waiting on the table when a row arrives', async () => {
    const notifier = new PostgresNotifier((config) => store.database.newClient(config), queueChannel(store.schema));
    try {
      await notifier.ready();
      const waiting = notifier.wait('q_work', 60_000);
      await queue.enqueue(message('wake-up'), Buffer.from('z'));
      await waiting.done;
      const got = await queue.getMessage();
      expect(Buffer.from(got!.body).toString()).to.equal('z');
      await queue.acknowledge(got!.token);
    } finally {
      await notifier.close();
    }
  });
});
