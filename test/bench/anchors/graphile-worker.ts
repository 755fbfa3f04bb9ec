// graphile-worker 0.18 at the settings of its performance page (worker.graphile.org/docs/performance):
// concurrentJobs 24, localQueue of 500, completions and failures batched with no delay; maxPoolSize as its
// option's documentation recommends (10 or concurrentJobs + 2, whichever is larger).
import { randomUUID } from 'node:crypto';
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import { type Anchor, dropSchema, inChunks, type OnJob, type Payload } from './anchor.js';

export function graphileWorker(connectionString: string, concurrency: number, onJob: OnJob): Anchor {
  const schema = `bench_gw_${randomUUID().slice(0, 8)}`;
  const maxPoolSize = Math.max(10, concurrency + 2);
  const preset = {
    worker: {
      connectionString,
      schema,
      concurrentJobs: concurrency,
      maxPoolSize,
      localQueue: { size: 500 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
      // Its default: new jobs wake it by LISTEN/NOTIFY, and it polls every 2 s besides.
      pollInterval: 2000,
    },
  };
  // Silent, as oncebus's cases are: its default logger writes lines per job.
  const logger = new Logger(() => () => undefined);
  let utils: WorkerUtils | null = null;
  let runner: Runner | null = null;
  return {
    settings: `concurrentJobs ${concurrency}, maxPoolSize ${maxPoolSize}, localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0, pollInterval 2000 ms + LISTEN/NOTIFY; enqueue WorkerUtils.addJobs`,
    async prepare() {
      utils = await makeWorkerUtils({ preset, logger });
      await utils.migrate();
    },
    enqueueMany: (payloads) => inChunks(payloads, (chunk) => utils!.addJobs(chunk.map((payload) => ({ identifier: 'noop', payload })))),
    async enqueueOne(payload) {
      await utils!.addJob('noop', payload);
    },
    async start() {
      runner = await run({ preset, logger, noHandleSignals: true, taskList: { noop: async (payload) => onJob(payload as Payload) } });
    },
    async stop() {
      await runner?.stop();
      await utils?.release();
      await dropSchema(connectionString, schema);
    },
  };
}
