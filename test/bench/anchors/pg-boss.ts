// pg-boss 10: workers fetching up to 1000 jobs each, polling at its minimum interval (0.5 s); the
// monitoring and cron loops are off, as they do nothing for this workload.
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { type Anchor, dropSchema, inChunks, type OnJob, type Payload } from './anchor.js';

const BATCH_SIZE = 1000;
/** pg-boss refuses less (its MIN_POLLING_INTERVAL_MS is 500). */
const POLLING_INTERVAL_SECONDS = 0.5;

export function pgBoss(connectionString: string, workers: number, onJob: OnJob): Anchor {
  const schema = `bench_pgb_${randomUUID().slice(0, 8)}`;
  const boss = new PgBoss({ connectionString, schema, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  return {
    settings: `${workers} workers (work() called ${workers}×) × batchSize ${BATCH_SIZE}, pollingIntervalSeconds ${POLLING_INTERVAL_SECONDS}, supervise and schedule off; enqueue insert()`,
    async prepare() {
      await boss.start();
      await boss.createQueue('noop');
    },
    enqueueMany: (payloads) => inChunks(payloads, (chunk) => boss.insert(chunk.map((data) => ({ name: 'noop', data })))),
    async enqueueOne(payload) {
      await boss.send('noop', payload);
    },
    async start() {
      for (let w = 0; w < workers; w++) {
        await boss.work<Payload>('noop', { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS }, async (jobs) => {
          for (const job of jobs) onJob(job.data);
        });
      }
    },
    async stop() {
      await boss.stop({ graceful: false, wait: true });
      await dropSchema(connectionString, schema);
    },
  };
}
