// What anchor-case.ts needs of a job queue it measures oncebus against (issue 16), and the helpers the
// anchors share. Each anchor works in a schema (or file) of its own per run, so rounds are independent.
import pg from 'pg';

/** The job's body: the bench's ~200-byte order plus its enqueue time, read back by the handler for latency. */
export interface Payload {
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  /** Epoch ms at enqueue. */
  readonly at: number;
}

export interface Anchor {
  /** How it is configured, for the report. */
  readonly settings: string;
  /** Creates its schema (or file). */
  prepare(): Promise<void>;
  /** Enqueues many jobs with the system's batch API, ENQUEUE_CHUNK per call. */
  enqueueMany(payloads: readonly Payload[]): Promise<void>;
  /** Enqueues one job (the latency cases). */
  enqueueOne(payload: Payload): Promise<void>;
  /** Starts the worker(s); each job handled calls the onJob given at construction. */
  start(): Promise<void>;
  /** Stops the worker(s) and drops the schema. */
  stop(): Promise<void>;
}

/** Called by an anchor's handler with the job's payload, at handler start. */
export type OnJob = (payload: Payload) => void;

/** Jobs per batch-enqueue call, for every anchor (oncebus's batch fill also writes 1000 together). */
export const ENQUEUE_CHUNK = 1000;

export async function inChunks<T>(items: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += ENQUEUE_CHUNK) await write(items.slice(i, i + ENQUEUE_CHUNK));
}

/** Drops an anchor's schema and everything in it (the next round starts from nothing). */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
