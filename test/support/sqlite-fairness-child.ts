// One of the two endpoint processes of the SQLite fairness scenario (sqlite-fairness.ts): an idempotent
// endpoint on the shared file whose handler writes a row in its unit of work and, for a message that asks
// it to, then hangs past handlerTimeout ignoring its signal. With PROBE set it also times a plain write
// every 20 ms (the wait to commit a write, the lock's whole queue included). FAIRNESS_CONFIG (JSON)
// configures it; prints 'ready' once started, 'hanging' when a handler first hangs, and its report (JSON)
// on SIGTERM.
import 'reflect-metadata';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { SqliteStore, type SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { FairnessWork, type FairnessChildConfig, type FairnessReport } from './sqlite-fairness-messages.js';

const cfg = JSON.parse(process.env.FAIRNESS_CONFIG ?? '{}') as FairnessChildConfig;
const store = new SqliteStore({ file: cfg.file, synchronous: 'NORMAL' });
const handledAt: number[] = [];
const probeWaits: number[] = [];
const hungAt: number[] = [];
let readyAt = 0;

@handlesMessage(FairnessWork)
class FairnessHandler implements IMessageHandler<FairnessWork, SqliteTransaction> {
  async handle(ctx: IHandlerContext<FairnessWork, SqliteTransaction>): Promise<void> {
    ctx.transaction.prepare('INSERT INTO fairness_rows (role, n) VALUES (?, ?)').run(cfg.role, ctx.message.n);
    if (ctx.message.hangMs > 0) {
      if (hungAt.length === 0) process.stdout.write('hanging\n');
      hungAt.push(Date.now());
      await new Promise((r) => setTimeout(r, ctx.message.hangMs)); // ignores ctx.signal: hung
      return;
    }
    handledAt.push(Date.now());
  }
}

const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(store.queues);
container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ groupCommit: cfg.groupCommit }));
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
addOncebus(container, {
  inbox: {
    workQueueUri: `sqlite://default/${cfg.queue}`,
    errorQueueUri: `sqlite://default/${cfg.queue}-error`,
    threadCount: cfg.threads,
    maximumFailureCount: 100,
    durationToIgnoreOnFailure: ['0ms'],
    durationToSleepWhenIdle: ['10ms', '50ms'],
  },
  handlers: [FairnessHandler],
  idempotence: true,
  handlerTimeout: `${cfg.handlerTimeoutMs}ms`,
  stopTimeout: '2s',
});
const bus = container.get<IServiceBus>(TYPES.ServiceBus);

let probing = cfg.probe === true;
/** When the probe write in progress began: still waiting at the end counts as a wait that long at least. */
let probeStarted: number | null = null;
async function probe(): Promise<void> {
  while (probing) {
    probeStarted = performance.now();
    await store.database.execute('INSERT INTO fairness_probe (role, at) VALUES ($1, $2)', [cfg.role, Date.now()]);
    probeWaits.push(performance.now() - probeStarted);
    probeStarted = null;
    await new Promise((r) => setTimeout(r, 20));
  }
}

process.on('SIGTERM', () => {
  probing = false;
  if (probeStarted !== null) probeWaits.push(performance.now() - probeStarted);
  const cpu = process.cpuUsage();
  const report: FairnessReport = { role: cfg.role, handledAt, hungAt, readyAt, probeWaits, cpuUs: cpu.user + cpu.system };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  bus
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
});

await bus.start();
readyAt = Date.now();
process.stdout.write('ready\n');
void probe();
