// plainjob on a SQLite file through better-sqlite3: its own connection setup (WAL, synchronous=NORMAL,
// as oncebus's sqlite case), workers polling every 1 ms (its default is 1 s; it sleeps only when idle).
import Database from 'better-sqlite3';
import { better, defineQueue, defineWorker, type Queue, type Worker } from 'plainjob';
import { type Anchor, inChunks, type OnJob, type Payload } from './anchor.js';

const POLL_MS = 1;
const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

export function plainjob(file: string, workers: number, onJob: OnJob): Anchor {
  const db = new Database(file);
  let queue: Queue | null = null;
  const running: Worker[] = [];
  return {
    settings: `${workers} worker(s), pollIntervall ${POLL_MS} ms, WAL, synchronous=NORMAL (plainjob's own pragmas); enqueue addMany`,
    async prepare() {
      queue = defineQueue({ connection: better(db), logger: silent });
    },
    // addMany writes its jobs in one transaction, synchronously.
    enqueueMany: (payloads) => inChunks(payloads, async (chunk) => queue!.addMany('noop', chunk)),
    async enqueueOne(payload) {
      queue!.add('noop', payload);
    },
    async start() {
      for (let w = 0; w < workers; w++) {
        const worker = defineWorker('noop', (job) => onJob(JSON.parse(job.data) as Payload), { queue: queue!, pollIntervall: POLL_MS, logger: silent });
        running.push(worker);
        // start() resolves only when the worker is stopped.
        void worker.start();
      }
    },
    async stop() {
      for (const worker of running) await worker.stop();
      // The queue's close() closes the database too.
      if (queue) queue.close();
      else db.close();
    },
  };
}
