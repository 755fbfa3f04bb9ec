// Graceful shutdown on SIGTERM/SIGINT, by runEndpoint (oncebus/hosting): stop taking messages, let the one in
// hand finish (or release it after the stop timeout), then exit 0; a second signal exits at once.
// Run: node dist/samples/graceful-shutdown/main.js, then kill -TERM <pid>.
import 'reflect-metadata';
import { Container } from 'inversify';
import {
  addOncebus,
  createSilentLogger,
  handlesMessage,
  type IHandlerContext,
  type IMessageHandler,
  MemoryBroker,
  messageType,
  TYPES,
} from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';

@messageType('sample.SlowJob')
class SlowJob {
  constructor(public id = '') {}
}

@handlesMessage(SlowJob)
class SlowJobHandler implements IMessageHandler<SlowJob> {
  async handle(ctx: IHandlerContext<SlowJob>): Promise<void> {
    console.log(`handling ${ctx.message.id}`);
    // Work that honours the stop signal: it would give up early once stop() times out.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Number(process.env.JOB_MS ?? 500));
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    console.log(`handled ${ctx.message.id}`);
  }
}

const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(new MemoryBroker());
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
addOncebus(container, {
  inbox: { workQueueUri: 'memory://jobs', errorQueueUri: 'memory://jobs-error', durationToIgnoreOnFailure: ['0ms'], threadCount: 1 },
  handlers: [SlowJobHandler],
  stopTimeout: '5s',
});
// Starts the bus; SIGTERM or SIGINT stops it gracefully and exits (a failed start prints why and exits 1).
const { bus } = await runEndpoint(container);
await bus.send(new SlowJob('job-1'), { local: true });
console.log('ready');
