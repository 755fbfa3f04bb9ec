import { expect } from 'chai';
import { Container } from 'inversify';
import { addOncebus, ConfigurationError, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../../src/index.js';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import type { IQueue } from '../../../src/transport/queue.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import { PlaceOrder } from '../../support/messages.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

const handled: string[] = [];

@handlesMessage(PlaceOrder)
class Handler implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    handled.push(ctx.message.orderId);
  }
}

for (const kind of ['postgres', 'sqlite'] as const) {
  describe(`enqueues made together on ${kind} are written together: one statement or transaction, all or none`, function () {
    this.timeout(30_000);
    let store: ReturnType<typeof openPostgresStore> | ReturnType<typeof openSqliteStore>;
    const uri = `${kind}://default/orders`;

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
    });
    beforeEach(async () => {
      store = kind === 'postgres' ? openPostgresStore() : openSqliteStore();
      await store.store.ready();
      handled.length = 0;
    });
    afterEach(async () => {
      await store.dispose();
    });

    async function queue(): Promise<IQueue & { count(): Promise<number> }> {
      const q = store.queues.create(uri) as IQueue & { create(): Promise<void>; count(): Promise<number> };
      await q.create();
      return q;
    }

    it('keeps the order of 300 enqueues started together', async () => {
      const q = await queue();
      await Promise.all(Array.from({ length: 300 }, (_, i) => q.enqueue({ ...emptyTransportMessage(), messageId: `m${i}` }, Buffer.from(`b${i}`))));
      expect(await q.count()).to.equal(300);
      const seen: string[] = [];
      for (let i = 0; i < 300; i++) {
        const r = await q.getMessage();
        seen.push(Buffer.from(r!.body).toString());
        await q.acknowledge(r!.token);
      }
      expect(seen).to.deep.equal(Array.from({ length: 300 }, (_, i) => `b${i}`));
      await q.close();
    });

    it('writes none of a batch when one of its rows cannot be written, and tells every caller', async () => {
      const q = await queue();
      // A row the database refuses (PostgreSQL: a priority that is no integer; SQLite: a body that is no bytes).
      const bad = { ...emptyTransportMessage(), messageId: 'bad', priority: 'high' as unknown as number };
      const results = await Promise.allSettled([
        q.enqueue({ ...emptyTransportMessage(), messageId: 'a' }, Buffer.from('a')),
        q.enqueue(bad, { not: 'bytes' } as unknown as Uint8Array),
        q.enqueue({ ...emptyTransportMessage(), messageId: 'c' }, Buffer.from('c')),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
      expect(await q.count()).to.equal(0);
      await q.close();
    });

    it('bus.sendMany sends each message with its own messageId, and refuses one messageId for all', async () => {
      const c = new Container();
      c.bind(TYPES.QueueFactory).toConstantValue(store.queues);
      c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
      addOncebus(c, {
        inbox: { workQueueUri: uri, errorQueueUri: `${kind}://default/orders-error`, threadCount: 4, durationToSleepWhenIdle: ['5ms'] },
        handlers: [Handler],
        routes: [{ uri, specifications: [{ types: [PlaceOrder] }] }],
      });
      const bus = c.get<IServiceBus>(TYPES.ServiceBus);
      await bus.start();
      try {
        const sent = await bus.sendMany(Array.from({ length: 100 }, (_, i) => new PlaceOrder(`o${i}`)));
        expect(new Set(sent.map((s) => s.messageId)).size).to.equal(100);
        await eventually(async () => handled.length === 100, 'all 100 handled', 20_000);
        expect([...handled].sort()).to.deep.equal(Array.from({ length: 100 }, (_, i) => `o${i}`).sort());
        let refused: unknown;
        await bus.sendMany([new PlaceOrder('x'), new PlaceOrder('y')], { messageId: 'one-for-all' }).catch((e: unknown) => (refused = e));
        expect(refused).to.be.instanceOf(ConfigurationError);
      } finally {
        await bus.stop();
      }
    });
  });
}
