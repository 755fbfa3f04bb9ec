// A process of the operations tools that SIGKILLs itself at one step (for the crash tests of
// test/integration/operations-errors.test.ts): 'before-ack' (ingestion recorded, not acknowledged),
// 'before-dispatch' (a return stored, nothing sent), 'before-mark' (a return sent, not marked returned).
import 'reflect-metadata';
import { ErrorIngestor } from '../../src/operations/errors/error-ingestor.js';
import type { FailedMessageStore } from '../../src/operations/errors/failed-message-store.js';
import { openOperationsStore } from '../../src/operations/errors/open-operations-store.js';
import { openTransports } from '../../src/operations/errors/open-transports.js';
import { QueueDirectory } from '../../src/operations/errors/queue-directory.js';
import { returnFailedMessages } from '../../src/operations/errors/return-failed-messages.js';
import type { IQueue } from '../../src/transport/queue.js';

export interface OpsChildConfig {
  readonly mode: 'ingest' | 'return';
  readonly kill: 'before-ack' | 'before-dispatch' | 'before-mark';
  readonly opsStore: string;
  readonly opsSchema?: string;
  readonly transport: string;
  readonly errorQueue: string;
  readonly id?: string;
}

const config = JSON.parse(process.env.OPS_CHILD ?? '{}') as OpsChildConfig;
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

/** Queues whose acknowledge (ingestion) or enqueue (a return's dispatch) kills the process first. */
class DyingQueues extends QueueDirectory {
  override queue(uri: string): IQueue {
    const queue = super.queue(uri);
    return new Proxy(queue, {
      get(target, property, receiver) {
        if (property === 'acknowledge' && config.kill === 'before-ack') return die;
        if (property === 'enqueue' && config.kill === 'before-dispatch') return die;
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

const opened = await openOperationsStore(config.opsStore, { schema: config.opsSchema });
const store =
  config.kill === 'before-mark'
    ? Object.assign(Object.create(Object.getPrototypeOf(opened.store) as object) as FailedMessageStore, opened.store, { markReturned: die })
    : opened.store;
const transports = await openTransports([config.transport]);
const queues = new DyingQueues(transports.factories);
if (config.mode === 'ingest') await new ErrorIngestor(store, queues, [config.errorQueue]).drain();
else await returnFailedMessages(store, queues, [config.id!], { by: 'crash-test' });
process.stdout.write('finished without the fault\n');
process.exit(3);
