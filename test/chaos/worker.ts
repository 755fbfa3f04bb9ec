// One chaos worker process: the work endpoint (competing with the other workers), the follow-up recorder
// endpoint and three subscribers of the event the work handler publishes, all idempotent on PostgreSQL,
// over RabbitMQ or PostgreSQL queue tables (their sends then join the handler's transaction). FAULT
// (pipeline:event:kill:nth) makes it SIGKILL itself at a named point.
import 'reflect-metadata';
import { Container } from 'inversify';
import type pg from 'pg';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { addOncebus, createSilentLogger, type EndpointOptions, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { type ChaosConfig, chaosQueue, FollowUp, MAXIMUM_FAILURE_COUNT, receiveQueue, SUBSCRIBERS, Shipped, Work } from './chaos-messages.js';
import { chaosTransport } from './chaos-transport.js';

const cfg = JSON.parse(process.env.CHAOS_CONFIG ?? '{}') as ChaosConfig;
// On queue tables each of the five endpoints also holds up to 3 open batches, a connection each (15), beside
// the units of work (22 with --per-message): 40. The pool opens connections as they are needed.
const store = new PostgresStore({ connectionString: cfg.pgUrl, schema: cfg.schema, poolSize: cfg.transport === 'postgres' ? 40 : 30, connectTimeoutMs: 2000 });
const transport = chaosTransport(cfg, store);
const s = cfg.schema;

@handlesMessage(Work)
class WorkHandler implements IMessageHandler<Work, pg.PoolClient> {
  async handle(ctx: IHandlerContext<Work, pg.PoolClient>): Promise<void> {
    const { n, failFirst, poison } = ctx.message;
    // Poison until the operator repairs it (the operations phase), then returns it from the error queue.
    if (poison && (await ctx.transaction.query(`SELECT 1 FROM ${s}.repaired WHERE message_id = $1`, [ctx.transportMessage.messageId])).rowCount === 0) {
      throw new Error(`poison message ${n}`);
    }
    if (failFirst && ctx.transportMessage.failureMessages.length === 0) throw new Error(`first attempt of ${n} fails`);
    await ctx.transaction.query(`INSERT INTO ${s}.business (message_id, n) VALUES ($1, $2)`, [ctx.transportMessage.messageId, n]);
    await ctx.send(new FollowUp(n));
    await ctx.publish(new Shipped(n));
  }
}

@handlesMessage(FollowUp)
class FollowUpRecorder implements IMessageHandler<FollowUp, pg.PoolClient> {
  async handle(ctx: IHandlerContext<FollowUp, pg.PoolClient>): Promise<void> {
    await ctx.transaction.query(`INSERT INTO ${s}.followups (work_message_id, n) VALUES ($1, $2)`, [ctx.transportMessage.messageReceivedId, ctx.message.n]);
  }
}

/** A subscriber of Shipped: records which work message's event it handled, under its own name. */
function shippedRecorder(subscriber: string): new () => IMessageHandler<Shipped, pg.PoolClient> {
  @handlesMessage(Shipped)
  class ShippedRecorder implements IMessageHandler<Shipped, pg.PoolClient> {
    async handle(ctx: IHandlerContext<Shipped, pg.PoolClient>): Promise<void> {
      await ctx.transaction.query(`INSERT INTO ${s}.shipped (subscriber, work_message_id, n) VALUES ($1, $2, $3)`, [subscriber, ctx.transportMessage.messageReceivedId, ctx.message.n]);
    }
  }
  return ShippedRecorder;
}

function endpoint(name: string, options: Partial<EndpointOptions>, fault: FaultInjectionModule | null, threadCount = 8): IServiceBus {
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(transport.factory);
  c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ groupCommit: cfg.groupCommit && { lanes: 2, maxBatchSize: 16 }, flushLeaseMs: 2000 }));
  c.bind(TYPES.SubscriptionService).toConstantValue(store.subscriptions);
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  if (fault) c.bind(TYPES.Module).toConstantValue(fault);
  addOncebus(c, {
    ...options,
    idempotence: true,
    stopTimeout: '5s',
    inbox: {
      workQueueUri: receiveQueue(cfg, name),
      errorQueueUri: chaosQueue(cfg, `${name}-error`),
      // A queue table schedules by itself (a due time per row): no deferred queue.
      ...(cfg.transport === 'rabbitmq' ? { deferredQueueUri: chaosQueue(cfg, `${name}-deferred`) } : {}),
      threadCount,
      maximumFailureCount: MAXIMUM_FAILURE_COUNT,
      durationToIgnoreOnFailure: ['100ms'],
      durationToSleepWhenIdle: ['10ms', '50ms', '200ms'],
    },
  });
  return c.get<IServiceBus>(TYPES.ServiceBus);
}

const work = endpoint('work', { handlers: [WorkHandler], routes: [{ uri: chaosQueue(cfg, 'followups'), specifications: [{ types: [FollowUp] }] }] }, FaultInjectionModule.fromSpec(process.env.FAULT));
const recorder = endpoint('followups', { handlers: [FollowUpRecorder] }, null);
// Two threads each: the pool (30) covers every endpoint's connections (8 + 8 + 3 x 2, plus takes).
const subscribers = SUBSCRIBERS.map((name) => endpoint(name, { handlers: [shippedRecorder(name)], subscriptions: [Shipped] }, null, 2));
const receivers = [recorder, ...subscribers];

process.on('SIGTERM', () => {
  void Promise.all([work.stop(), ...receivers.map((r) => r.stop())])
    .then(() => transport.close())
    .then(() => store.close())
    .finally(() => process.exit(0));
});

// Start with retries: the broker or the database may be restarting right now.
for (let attempt = 1; ; attempt++) {
  try {
    for (const receiver of receivers) if (!receiver.started) await receiver.start();
    if (!work.started) await work.start();
    break;
  } catch (error) {
    if (attempt >= 60) throw error;
    await new Promise((r) => setTimeout(r, 500));
  }
}
process.stdout.write('ready\n');
