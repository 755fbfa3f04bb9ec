import 'reflect-metadata';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import type pg from 'pg';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../../src/index.js';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import { PlaceOrder } from '../../support/messages.js';
import { canControlCluster, clusterAvailable, clusterUri, deleteClusterQueues, killNode, queueLeader, restartDownNodes } from '../../support/rabbitmq-cluster.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

let schema = '';
/** When each effect committed (ms), to measure how long consumption stalled when the leader died. */
const handledAt: number[] = [];

@handlesMessage(PlaceOrder)
class RecordOrder implements IMessageHandler<PlaceOrder, pg.PoolClient | undefined> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient | undefined>): Promise<void> {
    await ctx.transaction!.query(`INSERT INTO ${schema}.business (order_id, message_id, failures) VALUES ($1, $2, $3)`, [ctx.message.orderId, ctx.transportMessage.messageId, ctx.transportMessage.failureMessages.join(' | ')]);
    handledAt.push(Date.now());
    // Slow enough that the stream is still running when the leader dies.
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The longest gap between consecutive effects from the last one before `killAt` on: the stall the loss caused. */
function stallAfter(times: readonly number[], killAt: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let start = sorted.findIndex((t) => t >= killAt);
  if (start < 0) return Number.NaN;
  start = Math.max(start - 1, 0);
  let stall = 0;
  for (let i = start; i + 1 < sorted.length; i++) stall = Math.max(stall, sorted[i + 1]! - sorted[i]!);
  return stall;
}

describe('an idempotent endpoint, 3 workers on quorum queues, the leader node SIGKILLed mid-stream', function () {
  this.timeout(90_000);
  const stores: PostgresStore[] = [];
  const factories: RabbitMqQueueFactory[] = [];
  const buses: IServiceBus[] = [];
  const base = `qqf-${randomUUID().slice(0, 8)}`;
  const queues = [base, `${base}-error`, `${base}-deferred`];

  before(async function () {
    requireService(this, 'the local RabbitMQ cluster (services.sh start rabbitmq-cluster)', await clusterAvailable());
    requireService(this, 'control of the local RabbitMQ cluster (root, its pid files)', canControlCluster());
    requireService(this, 'PostgreSQL', await postgresAvailable());
    schema = `qqf_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    for (let w = 1; w <= 3; w++) {
      const store = new PostgresStore({ connectionString: PG_URL, schema });
      await store.store.ready();
      stores.push(store);
    }
    await stores[0]!.database.execute(`CREATE TABLE ${schema}.business (order_id text NOT NULL, message_id text, failures text, at timestamptz DEFAULT clock_timestamp())`);
    for (let w = 1; w <= 3; w++) {
      // Each worker its own connection, its host list starting at another node: spread over the cluster.
      const factory = new RabbitMqQueueFactory({ outageTimeoutMs: 60_000, maxReconnectDelayMs: 500 });
      factories.push(factory);
      const container = new Container();
      container.bind(TYPES.QueueFactory).toConstantValue(factory);
      container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
      container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(stores[w - 1]!.idempotence());
      addOncebus(container, {
        name: base,
        handlers: [RecordOrder],
        idempotence: true,
        inbox: {
          workQueueUri: clusterUri(base, 'prefetch=10', w),
          errorQueueUri: clusterUri(`${base}-error`, '', w),
          deferredQueueUri: clusterUri(`${base}-deferred`, '', w),
          threadCount: 2,
          durationToIgnoreOnFailure: ['100ms'],
          durationToSleepWhenIdle: ['10ms', '50ms'],
        },
      });
      buses.push(container.get<IServiceBus>(TYPES.ServiceBus));
    }
  });

  after(async () => {
    for (const bus of buses) await bus.stop().catch(() => undefined);
    await restartDownNodes().catch(() => undefined);
    await deleteClusterQueues(queues).catch(() => undefined);
    for (const f of factories) await f.close().catch(() => undefined);
    await stores[0]?.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    for (const s of stores) await s.close().catch(() => undefined);
  });

  it('handles every message once and none twice, and says how long consumption stalled', async () => {
    for (const bus of buses) await bus.start();
    const total = 1000;
    let next = 0;
    let sendRejections = 0;
    let slowestSendMs = 0;
    const sendAll = (async () => {
      while (next < total) {
        const id = `o-${next}`;
        try {
          // The order id as messageId: a send the test repeats after a rejection is the same message.
          const started = Date.now();
          // From the first worker: it declared the queues, so its node leads them and its connection dies
          // with the leader — its sends go through the reconnect and the leaderless queue's nacks.
          await buses[0]!.send(new PlaceOrder(id), { local: true, messageId: id });
          slowestSendMs = Math.max(slowestSendMs, Date.now() - started);
          next++;
        } catch (error) {
          sendRejections++;
          if (process.env.DEBUG_FAILOVER) console.log('send rejected', String(error).slice(0, 300));
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    await eventually(() => next > 0, 'the first send (it declares the queue)', 30_000);
    const leader = await queueLeader(base);
    await eventually(() => handledAt.length >= 150, '150 orders handled', 30_000);
    const killAt = Date.now();
    killNode(leader);
    // The cluster runs on two nodes for a moment, then the dead one comes back and catches up.
    await new Promise((r) => setTimeout(r, 2000));
    const restartStarted = Date.now();
    await restartDownNodes();
    const restartMs = Date.now() - restartStarted;
    await sendAll;
    const count = async (sql: string): Promise<number> => Number((await stores[0]!.database.query<{ n: string }>(sql))[0]?.n);
    await eventually(async () => (await count(`SELECT count(DISTINCT order_id) AS n FROM ${schema}.business`)) === total, 'every order recorded', 45_000);
    const rows = await count(`SELECT count(*) AS n FROM ${schema}.business`);
    const stall = stallAfter(handledAt, killAt);
    console.log(
      `      leader c${leader} SIGKILLed after ${handledAt.filter((t) => t < killAt).length} effects: ` +
        `consumption stalled ${stall} ms, the slowest send took ${slowestSendMs} ms; node restarted in ${restartMs} ms; ${sendRejections} send(s) rejected and sent again; ` +
        `${total} orders, ${rows} effect rows, lost ${total - (await count(`SELECT count(DISTINCT order_id) AS n FROM ${schema}.business`))}, duplicated ${rows - total}`,
    );
    if (process.env.DEBUG_FAILOVER) {
      console.log(await stores[0]!.database.query(`SELECT * FROM ${schema}.business WHERE order_id IN (SELECT order_id FROM ${schema}.business GROUP BY order_id HAVING count(*) > 1) ORDER BY order_id, at`));
    }
    expect(rows, 'no duplicated effect').to.equal(total);
    expect(Number.isFinite(stall), 'consumption resumed after the kill').to.equal(true);
  });
});

