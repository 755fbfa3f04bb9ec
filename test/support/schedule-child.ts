// A child process of a scheduled endpoint ('clock'), for the kill test: idempotent on a SQL store, its
// inbox a queue there, its schedule every second sending a Chime to a queue in another database (so the
// send is stored and flushed). SCHEDULE_CONFIG (JSON, TwoDatabases) configures it. Prints 'ready' once started.
import 'reflect-metadata';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, type IServiceBus, messageType, TYPES } from '../../src/index.js';
import { openTwoDatabases, type TwoDatabases } from './two-databases.js';

@messageType('test.Chime')
class Chime {
  constructor(public tick = '') {}
}

const cfg = JSON.parse(process.env.SCHEDULE_CONFIG ?? '{}') as TwoDatabases;
const { main, out } = openTwoDatabases(cfg);
const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(main.queues);
container.bind(TYPES.QueueFactory).toConstantValue(out.queues);
container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(main.idempotence({ flushLeaseMs: 1000 }));
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
addOncebus(container, {
  name: 'clock',
  inbox: { workQueueUri: 'main://default/clock', errorQueueUri: 'main://default/clock-error', threadCount: 2, durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['10ms', '50ms'] },
  idempotence: true,
  schedules: [{ name: 'chime', cron: '* * * * * *', message: (tick: Date) => new Chime(tick.toISOString()) }],
  routes: [{ uri: 'out://default/chimes', specifications: [{ types: [Chime] }] }],
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
