import { expect } from 'chai';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '../../../src/errors/errors.js';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { QueueMismatchError, RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import { CLUSTER_HOSTS, clusterAvailable, clusterCtl, clusterUri, deleteClusterQueues } from '../../support/rabbitmq-cluster.js';
import { envelope } from '../rabbitmq/rabbitmq-stream.js';

/** What a quorum queue changes for oncebus, on the three-node cluster: type, priority, redeliveries, mismatches. */
describe('RabbitMQ quorum queues on a three-node cluster', function () {
  this.timeout(30_000);
  const names: string[] = [];
  let factory: RabbitMqQueueFactory;
  let raw: amqp.ChannelModel;
  const name = (): string => {
    const n = `qq-${randomUUID().slice(0, 8)}`;
    names.push(n);
    return n;
  };

  before(async function () {
    requireService(this, 'the local RabbitMQ cluster (services.sh start rabbitmq-cluster)', await clusterAvailable());
    factory = new RabbitMqQueueFactory({ connectAttempts: 2, reconnectDelayMs: 50 });
    raw = await amqp.connect(`amqp://guest:guest@${CLUSTER_HOSTS[0]}`);
  });
  afterEach(() => deleteClusterQueues(names.splice(0)));
  after(async () => {
    await raw?.close().catch(() => undefined);
    await factory?.close();
  });

  it('declares a quorum queue with a member on every node', async () => {
    const q = name();
    await (factory.create(clusterUri(q)) as unknown as { create(): Promise<void> }).create();
    const rows = JSON.parse(await clusterCtl(2, 'list_queues', 'name', 'type', 'members', '--formatter', 'json')) as { name: string; type: string; members: string[] }[];
    const row = rows.find((r) => r.name === q);
    expect(row?.type).to.equal('quorum');
    expect(row?.members).to.have.length(3);
  });

  for (const [existing, wanted] of [
    ['classic', 'quorum'],
    ['quorum', 'classic'],
  ] as const) {
    it(`refuses a ${wanted} URI for an existing ${existing} queue with QueueMismatchError on 'x-queue-type', saying what to do`, async () => {
      const q = name();
      const ch = await raw.createChannel();
      await ch.assertQueue(q, { durable: true, arguments: existing === 'quorum' ? { 'x-queue-type': 'quorum' } : {} });
      await ch.close();
      const uri = clusterUri(q).replace('?queueType=quorum', wanted === 'quorum' ? '?queueType=quorum' : '');
      const error = await factory
        .create(uri)
        .enqueue(envelope('m-1'), Buffer.from('m-1'))
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).to.be.instanceOf(QueueMismatchError);
      expect((error as QueueMismatchError).argument).to.equal('x-queue-type');
      expect((error as QueueMismatchError).hint).to.match(/cannot change in place/).and.match(/queueType=/);
    });
  }

  it('refuses priority on a quorum queue URI before anything connects', () => {
    expect(() => factory.create(clusterUri('qq-prio', 'priority=5'))).to.throw(ConfigurationError, /a quorum queue has no priorities/);
  });

  it('delivers prioritised messages to a quorum queue in order, without an AMQP priority the broker would ignore', async () => {
    const q = name();
    const queue = factory.create(clusterUri(q));
    for (const [id, priority] of [
      ['low', 1],
      ['high', 9],
    ] as const) {
      const tm = envelope(id, { priority });
      await queue.enqueue(tm, serializeTransportMessage(tm));
    }
    const ch = await raw.createChannel();
    const got: { id: string; priority: unknown }[] = [];
    await eventually(async () => {
      const m = await ch.get(q, { noAck: true });
      if (m) got.push({ id: String(m.properties.messageId), priority: m.properties.priority });
      return got.length === 2;
    }, 'both messages');
    await ch.close();
    expect(got).to.deep.equal([
      { id: 'low', priority: undefined },
      { id: 'high', priority: undefined },
    ]);
  });

  it('sets no delivery limit: a message released 25 times (past RabbitMQ 4 default of 20) is still delivered, body unchanged', async () => {
    const q = name();
    const queue = factory.create(clusterUri(q));
    await queue.enqueue(envelope('again'), Buffer.from('again'));
    for (let i = 0; i < 25; i++) {
      let r = null;
      await eventually(async () => (r = await queue.getMessage()) !== null, `delivery ${i + 1}`);
      expect(Buffer.from(r!.body).toString()).to.equal('again');
      await queue.release(r!.token);
    }
    // The broker counts the returns (x-delivery-count) and, with no limit, keeps the message.
    const ch = await raw.createChannel();
    await queue.close();
    let m: amqp.GetMessage | false = false;
    await eventually(async () => (m = await ch.get(q, { noAck: true })) !== false, 'the message after 25 releases');
    expect((m as unknown as amqp.GetMessage).properties.headers?.['x-delivery-count']).to.be.at.least(25);
    await ch.close();
  });

  it('connects through a host list whose first host is down, to the next node', async () => {
    const q = name();
    const events: string[] = [];
    const own = new RabbitMqQueueFactory({ connectAttempts: 1 });
    own.events.on('connected', (info) => events.push(info.broker));
    try {
      const uri = `rabbitmq://guest:guest@127.0.0.1:5799,${CLUSTER_HOSTS.join(',')}/${q}?queueType=quorum`;
      await own.create(uri).enqueue(envelope('via-next'), Buffer.from('via-next'));
      expect(events).to.have.length(1);
      expect(events[0]).to.include('127.0.0.1:5799,').and.not.include('guest:guest');
    } finally {
      await own.close();
    }
  });
});
