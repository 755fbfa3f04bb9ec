// One chaos worker process: the work endpoint (competing with the other workers), the follow-up recorder
// endpoint and three subscribers of the event the work handler publishes, all idempotent on the run's
// database (PostgreSQL, or the SQLite file), over RabbitMQ or that database's queue tables (their sends
// then join the handler's transaction); with --sagas, the saga endpoint too (chaos-saga.ts).
// FAULT (pipeline:event:kill:nth) makes it SIGKILL itself at a named point of the endpoint FAULT_ENDPOINT
// names ('work', the default, or 'saga').
import 'reflect-metadata';
import { Container } from 'inversify';
import type { IOncebusModule } from '../../src/extending.js';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { addOncebus, createSilentLogger, type EndpointOptions, handlesMessage, type InboxOptions, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { openChaosDatabase } from './chaos-database.js';
import { type ChaosConfig, chaosQueue, FollowUp, MAXIMUM_FAILURE_COUNT, onQueueTables, receiveQueue, SUBSCRIBERS, Shipped, Work } from './chaos-messages.js';
import { chaosTransport } from './chaos-transport.js';

const cfg = JSON.parse(process.env.CHAOS_CONFIG ?? '{}') as ChaosConfig;
const db = await openChaosDatabase(cfg, 'worker');
const transport = chaosTransport(cfg, db.queues);
const t = db.table;

@handlesMessage(Work)
class WorkHandler implements IMessageHandler<Work, unknown> {
  async handle(ctx: IHandlerContext<Work, unknown>): Promise<void> {
    const { n, failFirst, poison } = ctx.message;
    // Poison until the operator repairs it (the operations phase), then returns it from the error queue.
    if (poison && (await db.inTransaction(ctx.transaction, `SELECT 1 FROM ${t('repaired')} WHERE message_id = $1`, [ctx.transportMessage.messageId])).length === 0) {
      throw new Error(`poison message ${n}`);
    }
    if (failFirst && ctx.transportMessage.failureMessages.length === 0) throw new Error(`first attempt of ${n} fails`);
    await db.inTransaction(ctx.transaction, `INSERT INTO ${t('business')} (message_id, n) VALUES ($1, $2)`, [ctx.transportMessage.messageId, n]);
    await ctx.send(new FollowUp(n));
    await ctx.publish(new Shipped(n));
  }
}

@handlesMessage(FollowUp)
class FollowUpRecorder implements IMessageHandler<FollowUp, unknown> {
  async handle(ctx: IHandlerContext<FollowUp, unknown>): Promise<void> {
    await db.inTransaction(ctx.transaction, `INSERT INTO ${t('followups')} (work_message_id, n) VALUES ($1, $2)`, [ctx.transportMessage.messageReceivedId, ctx.message.n]);
  }
}

/** A subscriber of Shipped: records which work message's event it handled, under its own name. */
function shippedRecorder(subscriber: string): new () => IMessageHandler<Shipped, unknown> {
  @handlesMessage(Shipped)
  class ShippedRecorder implements IMessageHandler<Shipped, unknown> {
    async handle(ctx: IHandlerContext<Shipped, unknown>): Promise<void> {
      await db.inTransaction(ctx.transaction, `INSERT INTO ${t('shipped')} (subscriber, work_message_id, n) VALUES ($1, $2, $3)`, [
        subscriber,
        ctx.transportMessage.messageReceivedId,
        ctx.message.n,
      ]);
    }
  }
  return ShippedRecorder;
}

/** The saga endpoint's retry policy: see sagaEndpoint below. */
type RetryOverrides = Pick<InboxOptions, 'maximumFailureCount' | 'durationToIgnoreOnFailure'>;

function endpoint(name: string, options: Partial<EndpointOptions>, modules: readonly (IOncebusModule | null)[], threadCount = 8, retry?: RetryOverrides): IServiceBus {
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(transport.factory);
  c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(db.store.idempotence({ groupCommit: cfg.groupCommit && { lanes: 2, maxBatchSize: 16 }, flushLeaseMs: 2000 }));
  // On RabbitMQ none is bound: the endpoints publish through the broker's exchanges (subscribed by the harness).
  if (onQueueTables(cfg)) c.bind(TYPES.SubscriptionService).toConstantValue(db.store.subscriptions);
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  for (const module of modules) if (module) c.bind(TYPES.Module).toConstantValue(module);
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
      ...retry,
    },
  });
  return c.get<IServiceBus>(TYPES.ServiceBus);
}

const faultIn = (name: string) => ((process.env.FAULT_ENDPOINT || 'work') === name ? FaultInjectionModule.fromSpec(process.env.FAULT) : null);
const work = endpoint('work', { handlers: [WorkHandler], routes: [{ uri: chaosQueue(cfg, 'followups'), specifications: [{ types: [FollowUp] }] }] }, [faultIn('work')]);
const recorder = endpoint('followups', { handlers: [FollowUpRecorder] }, []);
const subscribers = SUBSCRIBERS.map((name) => endpoint(name, { handlers: [shippedRecorder(name)], subscriptions: [Shipped] }, [], 2));
// An event that comes before its start fails its attempt (the not-found policy 'retry'): the saga endpoint
// retries for about a minute, longer than a start can be held up (a killed worker's batch on SQLite comes
// back after its 30 s lease), so that only a real fault ends in its error queue.
const sagaRetry: RetryOverrides = { maximumFailureCount: 40, durationToIgnoreOnFailure: ['50ms', '200ms', '500ms', '1s', '2s'] };
const sagas = cfg.sagas > 0 ? [await sagaEndpoint()] : [];
const receivers = [recorder, ...subscribers, ...sagas];

/** The saga endpoint: the saga's handlers and the SagaModule that loads and saves its instances. Loaded only for a saga run. */
async function sagaEndpoint(): Promise<IServiceBus> {
  const [{ chaosSaga }, { SagaModule }] = await Promise.all([import('./chaos-saga.js'), import('../../src/sagas/index.js')]);
  return endpoint('saga', { handlers: [...chaosSaga(db).handlers] }, [new SagaModule(), faultIn('saga')], 8, sagaRetry);
}

process.on('SIGTERM', () => {
  void Promise.all([work.stop(), ...receivers.map((r) => r.stop())])
    .then(() => transport.close())
    .then(() => db.close(false))
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
