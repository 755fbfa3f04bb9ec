import { expect } from 'chai';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { run } from '../../src/operations/cli/main.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { exchangeNameFor, type RabbitMqQueue, RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { requireService } from '../support/integration.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable, rabbitUri } from '../support/rabbitmq.js';
import { openPostgresStore, openSqliteStore, PG_URL, postgresAvailable } from '../support/sql-subjects.js';

/** Runs the CLI in this process; resolves to its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('oncebus subscriptions list|remove', function () {
  this.timeout(30_000);

  it('lists the rows of a SQLite store (all, one type, JSON) and removes one; removing it again finds nothing (exit 3)', async () => {
    const store = openSqliteStore();
    try {
      await store.subscriptions.subscribe(['ops.OrderPlaced', 'ops.Invoiced'], 'memory://billing');
      await store.subscriptions.subscribe(['ops.OrderPlaced'], 'memory://shipping');
      await store.close();
      const at = `sqlite:${store.file}`;

      const listed = await cli('subscriptions', 'list', '--store', at);
      expect(listed.code, listed.err).to.equal(0);
      expect(listed.out).to.match(/ops\.Invoiced\s+memory:\/\/billing/).and.match(/ops\.OrderPlaced\s+memory:\/\/billing/).and.match(/ops\.OrderPlaced\s+memory:\/\/shipping/);
      const json = JSON.parse((await cli('subscriptions', 'list', '--store', at, '--type', 'ops.OrderPlaced', '--json')).out) as { subscriptions: unknown[] };
      expect(json.subscriptions).to.deep.equal([
        { messageType: 'ops.OrderPlaced', inboxUri: 'memory://billing' },
        { messageType: 'ops.OrderPlaced', inboxUri: 'memory://shipping' },
      ]);

      const removed = await cli('subscriptions', 'remove', 'ops.OrderPlaced', 'memory://billing', '--store', at);
      expect(removed.code, removed.err).to.equal(0);
      expect(removed.out).to.include('removed the subscription of memory://billing to ops.OrderPlaced');
      const after = await cli('subscriptions', 'list', '--store', at, '--type', 'ops.OrderPlaced');
      expect(after.out).to.include('memory://shipping').and.not.include('memory://billing');
      const again = await cli('subscriptions', 'remove', 'ops.OrderPlaced', 'memory://billing', '--store', at);
      expect(again.code).to.equal(3);
      expect(again.err).to.include('no subscription of memory://billing to ops.OrderPlaced');
    } finally {
      await store.dispose();
    }
  });

  it('on PostgreSQL a removal is announced: a publisher that cached the list leaves the inbox out at once', async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    const store = openPostgresStore();
    const publisher = new PostgresStore({ connectionString: PG_URL, schema: store.schema, connectTimeoutMs: 3000 });
    try {
      await store.subscriptions.subscribe(['ops.OrderPlaced'], 'memory://billing');
      // Asked twice, a listener started in between: the second answer is cached.
      await publisher.subscriptions.getSubscribers('ops.OrderPlaced');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await publisher.subscriptions.getSubscribers('ops.OrderPlaced')).to.deep.equal(['memory://billing']);
      const removed = await cli('subscriptions', 'remove', 'ops.OrderPlaced', 'memory://billing', '--store', PG_URL, '--schema', store.schema);
      expect(removed.code, removed.err).to.equal(0);
      const until = Date.now() + 1000;
      let seen = await publisher.subscriptions.getSubscribers('ops.OrderPlaced');
      while (seen.length > 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen = await publisher.subscriptions.getSubscribers('ops.OrderPlaced');
      }
      expect(seen).to.deep.equal([]);
    } finally {
      await publisher.close();
      await store.dispose();
    }
  });

  describe('on a RabbitMQ broker (real)', () => {
    const queue = `ops-sub-${randomUUID().slice(0, 8)}`;
    const type = `ops-test.Shipped.${queue}`;
    const factory = new RabbitMqQueueFactory();
    before(async function () {
      requireService(this, 'RabbitMQ', await rabbitAvailable());
    });
    after(async () => {
      await factory.close();
      await deleteQueues([queue]);
      const c = await amqp.connect(RABBITMQ_URL).catch(() => null);
      if (c) {
        const ch = await c.createChannel();
        await ch.deleteExchange(exchangeNameFor(type)).catch(() => undefined);
        await c.close().catch(() => undefined);
      }
    });

    const broker = (): string => {
      const u = new URL(RABBITMQ_URL);
      return `rabbitmq://${u.username}:${u.password}@${u.host}`;
    };
    const inbox = (): string => `rabbitmq://${new URL(RABBITMQ_URL).host}/${queue}`;

    it('remove unbinds the inbox queue from the type exchange: the next publish no longer reaches it', async () => {
      const subscriptions = factory.subscriptions(rabbitUri(queue));
      await subscriptions.subscribe([type], rabbitUri(queue));
      const exchange = factory.create(subscriptions.exchangeUri(type));
      const receiver = factory.create(rabbitUri(queue)) as RabbitMqQueue;
      const publish = async (id: string) => exchange.enqueue({ ...emptyTransportMessage(), messageId: id, messageType: type }, Buffer.from(id));
      await publish('before');
      expect(await receiver.count()).to.equal(1);

      const removed = await cli('subscriptions', 'remove', type, inbox(), '--transport', broker());
      expect(removed.code, removed.err).to.equal(0);
      expect(removed.out).to.include(`unbound ${inbox()}`);
      await publish('after'); // confirmed: routed to every queue still bound, none
      expect(await receiver.count()).to.equal(1);
      await receiver.close();
    });

    it('list says where bindings are listed (not over AMQP); remove refuses an inbox on another broker', async () => {
      const listed = await cli('subscriptions', 'list', '--transport', broker());
      expect(listed.code).to.equal(2);
      expect(listed.err).to.include('rabbitmqctl list_bindings');
      const elsewhere = await cli('subscriptions', 'remove', type, 'rabbitmq://attacker.example/q', '--transport', broker());
      expect(elsewhere.code).to.equal(1);
      expect(elsewhere.err).to.include('attacker.example');
    });
  });
});
