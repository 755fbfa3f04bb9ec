// The job queues oncebus is measured against (issue 16), each at its documented fast settings, behind one
// small interface so anchor-case.ts runs them alike. Each uses a schema (or file) of its own per run.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import PgBoss from 'pg-boss';
import pg from 'pg';
import { better, defineQueue, defineWorker, type Queue, type Worker } from 'plainjob';

type Payload = { at: number };

export interface Anchor {
  /** Jobs handled at once (graphile's concurrency, pg-boss's workers × batch, plainjob's workers). */
  readonly concurrency: number;
  /** How it is configured, for the report. */
  readonly settings: string;
  prepare(): Promise<void>;
  /** Enqueues many jobs with the system's batch API (chunks of ENQUEUE_CHUNK). */
  enqueueMany(payloads: readonly Payload[]): Promise<void>;
  enqueueOne(payload: Payload): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Jobs per batch-enqueue call. */
export const ENQUEUE_CHUNK = 1000;

async function inChunks<T>(items: readonly T[], write: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += ENQUEUE_CHUNK) await write(items.slice(i, i + ENQUEUE_CHUNK));
}

async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

/** graphile-worker 0.17: concurrency 24, local queue of 500, completions and failures batched without delay. */
export function graphileWorker(connectionString: string, onJob: (enqueuedAt: number) => void): Anchor {
  const schema = `bench_gw_${randomUUID().slice(0, 8)}`;
  const concurrency = 24;
  const preset = { worker: { connectionString, schema, concurrentJobs: concurrency, localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0, pollInterval: 2000 } };
  // Silent, as oncebus's cases are: its default logs a line per job.
  const logger = new Logger(() => () => undefined);
  let utils: WorkerUtils | null = null;
  let runner: Runner | null = null;
  return {
    concurrency,
    settings: 'concurrency 24, localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0, LISTEN/NOTIFY (pollInterval 2 s)',
    async prepare() {
      utils = await makeWorkerUtils({ preset, logger });
      await utils.migrate();
    },
    enqueueMany: (payloads) => inChunks(payloads, (chunk) => utils!.addJobs(chunk.map((p) => ({ identifier: 'noop', payload: p })))),
    enqueueOne: async (p) => {
      await utils!.addJob('noop', p);
    },
    async start() {
      runner = await run({ preset, logger, noHandleSignals: true, taskList: { noop: async (p) => onJob((p as Payload).at) } });
    },
    async stop() {
      await runner?.stop();
      await utils?.release();
      await dropSchema(connectionString, schema);
    },
  };
}

/** pg-boss 10: two workers fetching up to 1000 jobs each, polling every 0.5 s (its minimum). */
export function pgBoss(connectionString: string, onJob: (enqueuedAt: number) => void): Anchor {
  const schema = `bench_pgb_${randomUUID().slice(0, 8)}`;
  const boss = new PgBoss({ connectionString, schema, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  return {
    concurrency: 2000,
    settings: 'two workers × batchSize 1000, pollingIntervalSeconds 0.5, supervise and schedule off',
    async prepare() {
      await boss.start();
      await boss.createQueue('noop');
    },
    enqueueMany: (payloads) => inChunks(payloads, (chunk) => boss.insert(chunk.map((p) => ({ name: 'noop', data: p })))),
    enqueueOne: async (p) => {
      await boss.send('noop', p);
    },
    async start() {
      for (let w = 0; w < 2; w++) {
        await boss.work<Payload>('noop', { batchSize: 1000, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const job of jobs) onJob(job.data.at);
        });
      }
    },
    async stop() {
      await boss.stop({ graceful: false, wait: true });
      await dropSchema(connectionString, schema);
    },
  };
}

/** plainjob on a SQLite file (WAL, better-sqlite3): one worker polling every 1 ms. */
export function plainjob(file: string, onJob: (enqueuedAt: number) => void): Anchor {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  let queue: Queue | null = null;
  let worker: Worker | null = null;
  return {
    concurrency: 1,
    settings: 'one worker, pollIntervall 1 ms, WAL, synchronous=NORMAL (as oncebus sqlite)',
    async prepare() {
      queue = defineQueue({ connection: better(db) });
    },
    enqueueMany: (payloads) =>
      inChunks(payloads, async (chunk) => {
        queue!.addMany('noop', [...chunk]);
      }),
    enqueueOne: async (p) => {
      queue!.add('noop', p);
    },
    async start() {
      worker = defineWorker('noop', (job) => onJob((JSON.parse(job.data) as Payload).at), {
        queue: queue!,
        pollIntervall: 1,
        logger: { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined },
      });
      void worker.start();
    },
    async stop() {
      await worker?.stop();
      queue?.close();
      db.close();
    },
  };
}
