import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import type { ISubscriptionService } from '../../../src/subscriptions/subscription-service.js';
import type { IQueue } from '../../../src/transport/queue.js';
import { exchangeNameFor, type RabbitMqQueue, RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { describeQueueContract } from '../../contract/queue-contract.js';
import { describeSubscriptionContract } from '../../contract/subscription-contract.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable, rabbitUri } from '../../support/rabbitmq.js';

/** Deletes the test's exchanges through a raw connection. */
async function deleteExchanges(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const c = await amqp.connect(RABBITMQ_URL);
  try {
    for (const n of names) {
      const ch = await c.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteExchange(n).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
  } finally {
    await c.close().catch(() => undefined);
  }
}

// The queue contract, sending through the broker's pub/sub: each message is published to the exchange of
// a type, and received from a queue bound to it (by subscribe). What a subscriber's inbox must give.
const factory = new RabbitMqQueueFactory();
const typeOf = (name: string): string => `contract.${name}`;
describeQueueContract('rabbitmq:// published through an exchange', {
  available: rabbitAvailable,
  open: (name) => {
    const queue = factory.create(rabbitUri(name, 'priority=10&prefetch=5')) as RabbitMqQueue;
    const subscriptions = factory.subscriptions(queue.uri);
    const exchange = factory.create(subscriptions.exchangeUri(typeOf(name)));
    const bound: IQueue & { create(): Promise<void> } = {
      uri: queue.uri,
      create: async () => {
        await queue.create();
        await subscriptions.subscribe([typeOf(name)], queue.uri);
      },
      enqueue: (message, body) => exchange.enqueue(message, body),
      getMessage: () => queue.getMessage(),
      acknowledge: (token) => queue.acknowledge(token),
      release: (token) => queue.release(token),
      close: () => queue.close(),
    };
    return bound;
  },
  supportsPriority: true,
  cleanup: async (names) => {
    await deleteQueues(names);
    await deleteExchanges(names.map((n) => exchangeNameFor(typeOf(n))));
  },
  after: () => factory.close(),
});

// The subscription contract: a probe published to what getSubscribers answers must reach exactly the
// inboxes bound to the type, also from a publisher with a factory (a connection) of its own.
const created = { queues: new Set<string>(), exchanges: new Set<string>() };
const probeFactory = new RabbitMqQueueFactory();
const opened: RabbitMqQueueFactory[] = [];
describeSubscriptionContract('rabbitmq:// exchanges and bindings', {
  available: rabbitAvailable,
  open: async () => {
    const open = () => {
      const f = new RabbitMqQueueFactory();
      opened.push(f);
      return { service: trackExchanges(f.subscriptions(rabbitUri('home'))), close: () => f.close() };
    };
    return { ...open(), peer: async () => open() };
  },
  inbox: (name) => {
    created.queues.add(`sub-${name}`);
    return rabbitUri(`sub-${name}`);
  },
  reach: async (service, type, inboxes) => {
    const probe = emptyTransportMessage();
    probe.messageId = randomUUID();
    probe.messageType = type;
    const receivers = inboxes.map((uri) => probeFactory.create(uri) as RabbitMqQueue);
    for (const q of receivers) await q.create();
    for (const destination of await service.getSubscribers(type)) {
      await probeFactory.create(destination).enqueue(probe, Buffer.from(probe.messageId));
    }
    const reached: string[] = [];
    for (const [i, q] of receivers.entries()) {
      // A confirmed publish is in every bound queue: the probe is there now, or never.
      for (let empty = 0; empty < 3; ) {
        const got = await q.getMessage();
        if (!got) {
          empty++;
          continue;
        }
        await q.acknowledge(got.token);
        if (Buffer.from(got.body).toString() === probe.messageId) {
          reached.push(inboxes[i]!);
          break;
        }
      }
      await q.close();
    }
    return reached;
  },
  after: async () => {
    await Promise.all([probeFactory, ...opened].map((f) => f.close()));
    await deleteQueues([...created.queues]);
    await deleteExchanges([...created.exchanges]);
  },
});

/** Records the exchange of every type asked about, for the cleanup. */
function trackExchanges(service: ISubscriptionService): ISubscriptionService {
  return {
    subscribe: (types, inbox) => {
      for (const t of types) created.exchanges.add(exchangeNameFor(t));
      return service.subscribe(types, inbox);
    },
    getSubscribers: (type) => {
      created.exchanges.add(exchangeNameFor(type));
      return service.getSubscribers(type);
    },
  };
}
