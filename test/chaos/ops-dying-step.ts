// Preloaded (node --import) into `oncebus errors …` by the crash harness on queue tables (PostgreSQL or
// SQLite): the process SIGKILLs itself at the nth step OPS_DYING names — 'before-ack' (a failed message
// recorded, not acknowledged), 'before-dispatch' (a return stored, nothing sent), 'before-mark' (sent, not
// marked returned) — the steps of test/support/ops-child.ts. That child opens its queues in the default
// schema; the CLI itself takes the run's (--transport-schema, or the SQLite file's).
import { FailedMessageStore } from '../../src/operations/errors/failed-message-store.js';
import type { IQueue } from '../../src/transport/queue.js';
import { QueueRegistry } from '../../src/transport/queue-registry.js';

const { kill, nth } = JSON.parse(process.env.OPS_DYING ?? '{}') as { kill: 'before-ack' | 'before-dispatch' | 'before-mark'; nth: number };
let calls = 0;
/** Dies before the nth call of the step, so the step's effect is not there. */
const dieAtNth = (): void => {
  if (++calls < nth) return;
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

/** The queue, its step (acknowledge or enqueue) dying at the nth call. */
function dying(q: IQueue): IQueue {
  const step = kill === 'before-ack' ? 'acknowledge' : kill === 'before-dispatch' ? 'enqueue' : null;
  if (step === null) return q;
  return new Proxy(q, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const bound = value.bind(target) as (...args: unknown[]) => unknown;
      if (property !== step) return bound;
      return (...args: unknown[]) => {
        dieAtNth();
        return bound(...args);
      };
    },
  });
}

// Error queues are taken from through receivers, returns sent through senders.
const createReceiver = QueueRegistry.prototype.createReceiver;
QueueRegistry.prototype.createReceiver = function (this: QueueRegistry, uri: string): IQueue {
  return dying(createReceiver.call(this, uri));
};
const sender = QueueRegistry.prototype.sender;
QueueRegistry.prototype.sender = function (this: QueueRegistry, uri: string): IQueue {
  return dying(sender.call(this, uri));
};

const markReturned = FailedMessageStore.prototype.markReturned;
if (kill === 'before-mark') {
  FailedMessageStore.prototype.markReturned = function (this: FailedMessageStore, ...args: Parameters<typeof markReturned>) {
    dieAtNth();
    return markReturned.apply(this, args);
  };
}
