// pg-boss 12 at its fastest documented settings for a backlog: `workers` workers (localConcurrency), each
// fetching batchSize jobs and, with burstWhenBatchFull, fetching again at once while a fetch comes back full
// (no polling interval between batches); LISTEN/NOTIFY on (useListenNotify + a notify queue) so a new job
// wakes an idle worker, as graphile-worker's does. The monitoring and cron loops are off, as they do nothing
// for this workload.
import { randomUUID } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { type Anchor, dropSchema, inChunks, type OnJob, type Payload } from './anchor.js';

/** pg-boss refuses less (its minimum polling interval is 500 ms); with NOTIFY and burst it is only the backstop. */
const POLLING_INTERVAL_SECONDS = 0.5;

export function pgBoss(connectionString: string, workers: number, batchSize: number, onJob: OnJob): Anchor {
  const schema = `bench_pgb_${randomUUID().slice(0, 8)}`;
  const boss = new PgBoss({ connectionString, schema, supervise: false, schedule: false, useListenNotify: true });
  boss.on('error', () => undefined);
  return {
    settings: `localConcurrency ${workers} × batchSize ${batchSize}, burstWhenBatchFull, LISTEN/NOTIFY (useListenNotify, queue notify), pollingIntervalSeconds ${POLLING_INTERVAL_SECONDS}, supervise and schedule off; enqueue insert()`,
    async prepare() {
      await boss.start();
      await boss.createQueue('noop', { notify: true });
    },
    enqueueMany: (payloads) => inChunks(payloads, (chunk) => boss.insert('noop', chunk.map((data) => ({ data })))),
    async enqueueOne(payload) {
      await boss.send('noop', payload);
    },
    async start() {
      const options = {
        localConcurrency: workers,
        batchSize,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: POLLING_INTERVAL_SECONDS,
        notifyPollingIntervalSeconds: POLLING_INTERVAL_SECONDS,
      };
      await boss.work<Payload>('noop', options, async (jobs) => {
        for (const job of jobs) onJob(job.data);
      });
    },
    async stop() {
      await boss.stop({ graceful: false });
      await dropSchema(connectionString, schema);
    },
  };
}
