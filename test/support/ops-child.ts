// A process of the operations tools that SIGKILLs itself at one step (for the crash tests of
// test/integration/operations-errors.test.ts): 'before-ack' (ingestion recorded, not acknowledged),
// 'before-dispatch' (a return stored, nothing sent), 'before-mark' (a return sent, not marked returned); at
// the nth such step (default the first). Also the crash harness's returner (test/chaos/operations-phase.ts).
import 'reflect-metadata';
import { ErrorIngestor } from '../../src/operations/errors/error-ingestor.js';
import type { FailedMessageStore } from '../../src/operations/errors/failed-message-store.js';
import { openOperationsStore, openTransports } from '../../src/operations/openers/registry.js';
import { returnFailedMessages } from '../../src/operations/errors/return-failed-messages.js';
import type { IQueue } from '../../src/transport/queue.js';

export interface OpsChildConfig {
  readonly mode: 'ingest' | 'return';
  readonly kill: 'before-ack' | 'before-dispatch' | 'before-mark';
  readonly opsStore: string;
  readonly opsSchema?: string;
  readonly transport: string;
  readonly errorQueue: string;
  /** The message to return; without it, every unresolved one. */
  readonly id?: string;
  /** Die at the nth ack, dispatch or mark (default 1). */
  readonly nth?: number;
  readonly resumeAfterMs?: number;
}

const config = JSON.parse(process.env.OPS_CHILD ?? '{}') as OpsChildConfig;
let calls = 0;
/** `step` unless this is the nth call of the fault's step: then the process dies first. */
function dieAtNth<T extends (...args: never[]) => unknown>(step: T): T {
  return ((...args: Parameters<T>) => {
    if (++calls >= (config.nth ?? 1)) {
      process.kill(process.pid, 'SIGKILL');
      throw new Error('unreachable');
    }
    return step(...args);
  }) as T;
}

/** The queue, its acknowledge (ingestion) or enqueue (a return's dispatch) killing the process first. */
function dying(queue: IQueue): IQueue {
  return new Proxy(queue, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      const bound = typeof value === 'function' ? (value.bind(target) as (...args: never[]) => unknown) : value;
      if (property === 'acknowledge' && config.kill === 'before-ack') return dieAtNth(bound as (...args: never[]) => unknown);
      if (property === 'enqueue' && config.kill === 'before-dispatch') return dieAtNth(bound as (...args: never[]) => unknown);
      return bound;
    },
  });
}

const opened = await openOperationsStore(config.opsStore, { schema: config.opsSchema });
const store =
  config.kill === 'before-mark'
    ? Object.assign(Object.create(Object.getPrototypeOf(opened.store) as object) as FailedMessageStore, opened.store, {
        markReturned: dieAtNth(opened.store.markReturned.bind(opened.store)),
      })
    : opened.store;
const transports = await openTransports([config.transport]);
const queues = transports.queues;
// Error queues are taken from through receivers, returns sent through senders: both die at their step.
const createReceiver = queues.createReceiver.bind(queues);
queues.createReceiver = (uri) => dying(createReceiver(uri));
const sender = queues.sender.bind(queues);
queues.sender = (uri) => dying(sender(uri));
if (config.mode === 'ingest') await new ErrorIngestor(store, queues, [config.errorQueue]).drain();
else {
  const ids = config.id === undefined ? await store.unresolved({ all: true }) : [config.id];
  await returnFailedMessages(store, queues, ids, { by: 'crash-test', resumeAfterMs: config.resumeAfterMs });
}
process.stdout.write('finished without the fault\n');
process.exit(3);
