// A child endpoint for crash and competing-consumer tests: idempotent on a SQL store, its handler writes a
// business row in context.transaction and sends two follow-ups to a queue in *another* database (so they
// are stored and flushed, not enlisted). CRASH_CONFIG (JSON) configures it; FAULT names a fault point
// (pipeline:event:kill) at which the process SIGKILLs itself. Prints 'ready' once started.
import 'reflect-metadata';
import { Container } from 'inversify';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import type { PostgresTransaction } from '../../src/stores/postgres/index.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { FollowUp, WorkItem } from './crash-messages.js';
import { openTwoDatabases, type TwoDatabases } from './two-databases.js';

export interface CrashConfig extends TwoDatabases {
  /** PostgreSQL only: idempotence with group commit. */
  groupCommit?: boolean;
  threads?: number;
  /** The work queue takes this many rows per batch (?batch=N). */
  batch?: number;
}

const cfg = JSON.parse(process.env.CRASH_CONFIG ?? '{}') as CrashConfig;
const { main, out } = openTwoDatabases(cfg);

@handlesMessage(WorkItem)
class WorkHandler implements IMessageHandler<WorkItem, PostgresTransaction | SqliteTransaction> {
  async handle(ctx: IHandlerContext<WorkItem, PostgresTransaction | SqliteTransaction>): Promise<void> {
    const id = ctx.transportMessage.messageId;
    if (cfg.kind === 'postgres') {
      await (ctx.transaction as PostgresTransaction).query(`INSERT INTO ${cfg.schema}.business (message_id, pid) VALUES ($1, $2)`, [id, process.pid]);
    } else {
      (ctx.transaction as SqliteTransaction).prepare('INSERT INTO business (message_id, pid) VALUES (?, ?)').run(id, process.pid);
    }
    await ctx.send(new FollowUp(ctx.message.n, 'a'));
    await ctx.send(new FollowUp(ctx.message.n, 'b'));
  }
}

const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(main.queues);
container.bind(TYPES.QueueFactory).toConstantValue(out.queues);
container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(main.idempotence({ groupCommit: cfg.groupCommit === true, flushLeaseMs: 1000 }));
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
const fault = FaultInjectionModule.fromSpec(process.env.FAULT);
if (fault) container.bind(TYPES.Module).toConstantValue(fault);
addOncebus(container, {
  inbox: {
    workQueueUri: cfg.batch ? `main://default/work?batch=${cfg.batch}` : 'main://default/work',
    errorQueueUri: 'main://default/work-error',
    threadCount: cfg.threads ?? 2,
    durationToIgnoreOnFailure: ['0ms'],
    durationToSleepWhenIdle: ['10ms', '50ms'],
  },
  handlers: [WorkHandler],
  routes: [{ uri: 'out://default/followups', specifications: [{ types: [FollowUp] }] }],
  idempotence: true,
  stopTimeout: '5s',
});
const bus = container.get<IServiceBus>(TYPES.ServiceBus);

process.on('SIGTERM', () => {
  bus
    .stop()
    .then(() => Promise.all([main.close(), out.close()]))
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
});

await bus.start();
process.stdout.write('ready\n');
