import { ErrorIngestor } from '../../src/operations/errors/error-ingestor.js';
import { FailedMessageStore, type FailedMessageDetail, type IngestOutcome } from '../../src/operations/errors/failed-message-store.js';
import { deleteFailedMessages, RESUME_RETURNS_AFTER_MS, returnFailedMessages } from '../../src/operations/errors/return-failed-messages.js';
import { StoreError } from '../../src/errors/errors.js';
import { readEnvelope } from '../../src/operations/errors/failed-message-record.js';
import type { TransportMessage } from '../../src/envelope/transport-message.js';
import type { SqlDatabase } from '../../src/stores/sql/sql-database.js';
import type { IQueue, IQueueFactory } from '../../src/transport/queue.js';
import { QueueRegistry } from '../../src/transport/queue-registry.js';
import type { Seams } from './sim-seams.js';
import type { SimProcessRef, VirtualTime } from './virtual-time.js';

/**
 * Known-broken operations tools, for the simulator to prove it finds (the operations spin model's mutants):
 * - 'ops-ack-first': the ingestor's delivery is acknowledged as it is taken, before the record is stored
 *   (a crash or failure in between loses the failed message);
 * - 'ops-never-resumed': a return a dead returner left stored and undispatched is never taken up (lost);
 * - 'ops-no-return-lease': a stored return may be resumed at once, so a second operator's return races a
 *   live one and sends it again (caught in a calm run, where every return must go out once).
 */
export type BrokenOperations = 'ops-ack-first' | 'ops-never-resumed' | 'ops-no-return-lease';

/** The error queues the operations processes drain: every endpoint's. */
export const ERROR_QUEUES = ['orders', 'shipping', 'billing', 'audit', 'client'].map((name) => `memory://${name}-error`);

/**
 * How much likelier a crash or fault is at an operations seam where something is at stake (a delivery in
 * hand, a return stored): the tools pass a few such seams per failed message where a worker passes dozens.
 */
export const OPS_WEIGHT = 25;

/** The operations tools crash and fail on an allowance of their own (see Seams.step). */
export const OPS_BUDGET = 'operations';

/** Seams of the operations processes' queue calls: polling an empty queue risks nothing, the rest is weighted. */
export const opsQueueWeight = (site: string): number => (site === 'get' || site === 'got' ? 1 : OPS_WEIGHT);

/** Rounds start on this beat, so that the two operators often act at once (the race a return's lease settles). */
const ROUND_MS = 250;
/** At most this long between seeing the failed messages and returning them. */
const THINK_MS = 20;

/** What the world gives an operations process. */
export interface OperationsWorld {
  readonly time: VirtualTime;
  readonly seams: Seams;
  /** Messages whose handler bug the operator has "fixed" (the handler stops throwing for them). */
  readonly repaired: Set<string>;
  /** Returns put on a source queue, by `${messageId} → ${queue}`. */
  readonly returns: Map<string, number>;
  /** Error-queue copies that brought failures the store had not seen ('new', 'failed-again'), by messageId. */
  readonly failuresIngested: Map<string, number>;
  log(line: string): void;
}

/**
 * One operations process, as an operator runs `oncebus errors ingest --watch` and `errors return --all`:
 * drains the error queues into the operations store, then repairs and returns what it found (and resumes
 * returns a dead process left), deleting what was too large for its endpoint. Every queue and store call passes a seam: it may crash there (the world
 * drops its connections) or fail; a failed round is tried again after a pause, as the CLI's watch does.
 */
export async function runOperations(world: OperationsWorld, process: SimProcessRef, database: SqlDatabase, queueFactory: IQueueFactory, broken?: BrokenOperations): Promise<never> {
  const store = new SimFailedMessageStore(database, world.seams, process, broken, (messageId) => world.failuresIngested.set(messageId, (world.failuresIngested.get(messageId) ?? 0) + 1));
  const queues = new QueueRegistry([broken === 'ops-ack-first' ? ackingFirst(queueFactory) : queueFactory]);
  const clock = () => world.time.time;
  const ingestor = new ErrorIngestor(store, queues, ERROR_QUEUES, clock);
  for (;;) {
    try {
      const report = await ingestor.drain();
      if (report.new + report.failedAgain > 0) world.log(`p${process.id} ops ingested ${JSON.stringify(report)}`);
      // The operator looks before acting (both often act at the same beat: the race a return's lease settles).
      await world.time.sleep(Math.floor(world.time.random() * THINK_MS));
      const ids = await store.unresolved({ all: true });
      const repaired: string[] = [];
      const tooLarge: string[] = [];
      for (const id of ids) {
        const record = await store.get(id);
        if (!record) continue;
        // No repair makes a message fit the endpoint's maxMessageSize: it is deleted, never returned.
        if (record.exceptionType === 'MessageTooLargeError') tooLarge.push(id);
        else {
          world.repaired.add(record.messageId);
          repaired.push(id);
        }
      }
      const deleted = await deleteFailedMessages(store, tooLarge, { by: `p${process.id}`, clock });
      if (deleted.done.length > 0) world.log(`p${process.id} ops deleted ${deleted.done.length} too large to return`);
      const done = await returnFailedMessages(store, queues, repaired, { by: `p${process.id}`, clock, resumeAfterMs: broken === 'ops-no-return-lease' ? 0 : RESUME_RETURNS_AFTER_MS });
      if (done.done.length > 0) world.log(`p${process.id} ops returned ${done.done.length}, skipped ${JSON.stringify(done.skipped)}`);
    } catch (error) {
      world.log(`p${process.id} ops round failed: ${String(error)}`);
    }
    await world.time.sleep(ROUND_MS - (world.time.time % ROUND_MS) + Math.floor(world.time.random() * 3));
  }
}

/**
 * The operations store behind seams: each call may crash its process before or after it takes effect, or
 * fail (after: it took effect, its caller heard an error).
 */
class SimFailedMessageStore extends FailedMessageStore {
  constructor(
    database: SqlDatabase,
    private readonly seams: Seams,
    private readonly process: SimProcessRef,
    private readonly broken?: BrokenOperations,
    private readonly ingested?: (messageId: string) => void,
  ) {
    super(database);
  }

  /** `hot`: whether the call holds something at stake, where crashes and faults are weighted up. */
  private async around<T>(site: string, run: () => Promise<T>, hot: (result?: T) => boolean = () => true): Promise<T> {
    const fault = () => new StoreError(`simulated operations store failure at ${site}`);
    await this.seams.step(this.process, `ops:${site}`, fault, hot() ? OPS_WEIGHT : 1, OPS_BUDGET);
    const result = await run();
    await this.seams.step(this.process, `ops:${site}:done`, fault, hot(result) ? OPS_WEIGHT : 1, OPS_BUDGET);
    return result;
  }

  override async ingest(raw: Uint8Array, errorQueue: string, now: number): Promise<IngestOutcome> {
    const outcome = await this.around('ingest', () => super.ingest(raw, errorQueue, now));
    const messageId = readEnvelope(raw)?.messageId;
    if (outcome !== 'already-ingested' && messageId !== undefined) this.ingested?.(messageId);
    return outcome;
  }

  override transition(id: string, status: 'returning' | 'archived', by: string, now: number, ignoreRetention = false): Promise<boolean> {
    return this.around('transition', () => super.transition(id, status, by, now, ignoreRetention));
  }

  override takeReturning(storedBefore: number, now: number): Promise<FailedMessageDetail[]> {
    // Most calls find nothing to resume: only a crash after taking something is of interest.
    return this.around('take-returning', async () => (this.broken === 'ops-never-resumed' ? [] : super.takeReturning(storedBefore, now)), (taken) => (taken?.length ?? 0) > 0);
  }

  override markReturned(id: string, now: number): Promise<void> {
    return this.around('mark-returned', () => super.markReturned(id, now));
  }
}

/** A factory whose queues pass every call to `inner`'s, except those `override` replaces. */
function overriding(inner: IQueueFactory, override: (queue: IQueue, uri: string) => Partial<Pick<IQueue, 'enqueue' | 'getMessage' | 'acknowledge' | 'release'>>): IQueueFactory {
  return {
    scheme: inner.scheme,
    create(uri: string): IQueue {
      const queue = inner.create(uri);
      return {
        uri,
        enqueue: (message, body) => queue.enqueue(message, body),
        getMessage: () => queue.getMessage(),
        acknowledge: (token) => queue.acknowledge(token),
        release: (token) => queue.release(token),
        close: () => queue.close(),
        ...override(queue, uri),
      };
    },
  };
}

/** The operations processes' queues, counting each return put on a source queue. */
export function countingReturns(inner: IQueueFactory, returns: Map<string, number>, log: (line: string) => void): IQueueFactory {
  return overriding(inner, (queue, uri) => ({
    async enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
      await queue.enqueue(message, body);
      const key = `${message.messageId} → ${uri}`;
      returns.set(key, (returns.get(key) ?? 0) + 1);
      log(`ops returned ${key}`);
    },
  }));
}

/** 'ops-ack-first': each delivery is acknowledged as it is taken, so the ingestor's own ack and release do nothing. */
function ackingFirst(inner: IQueueFactory): IQueueFactory {
  return overriding(inner, (queue) => ({
    async getMessage() {
      const got = await queue.getMessage();
      if (got) await queue.acknowledge(got.token);
      return got;
    },
    acknowledge: async () => undefined,
    release: async () => undefined,
  }));
}
