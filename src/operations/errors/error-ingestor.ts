import type { ILogger } from '../../logging/logger.js';
import { Sleeper } from '../../processing/sleeper.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { type IQueue, isCountQueue } from '../../transport/queue.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import type { FailedMessageStore, IngestOutcome } from './failed-message-store.js';

/** What one drain ingested, by outcome (camelCase, as every JSON the tools print). */
export interface IngestReport {
  /** Recorded for the first time. */
  new: number;
  /** Recorded before, with failures the record had not seen (it failed again, or another copy of it). */
  failedAgain: number;
  /** A copy recorded already (a redelivery after a crash before its acknowledgement): only acknowledged. */
  alreadyIngested: number;
}

const REPORT_KEY = { new: 'new', 'failed-again': 'failedAgain', 'already-ingested': 'alreadyIngested' } as const satisfies Record<IngestOutcome, keyof IngestReport>;

/**
 * How long a drain keeps asking a queue that still counts messages but hands none out (held by another
 * consumer, or a SQL row's lease not yet run out) before it ends: a drain ends when the queue is empty, or
 * when nothing more can be taken from it now.
 */
const DRAIN_PATIENCE_MS = 5_000;
/** The pause between such asks (a SQL queue answers "nothing" at once; a broker's receive waits by itself). */
const DRAIN_RETRY_MS = 50;

/**
 * Consumes error queues into the operations store: each delivery is recorded, then acknowledged — never the
 * other way round — so a crash in between redelivers it and the store, keyed by messageId and source queue,
 * records it once. A delivery the store cannot take, or whose acknowledgement fails, is released (it stays
 * in the error queue, for the next round).
 */
export class ErrorIngestor {
  private readonly sleeper = new Sleeper();
  private stopping = false;
  /** One receiving queue object per error queue, reached once before its first take. */
  private readonly receivers = new Map<string, IQueue>();
  private readonly reached = new Set<string>();

  constructor(
    private readonly store: FailedMessageStore,
    private readonly queues: QueueRegistry,
    private readonly errorQueueUris: readonly string[],
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Ingests until every error queue is empty. An empty receive alone does not say so: a broker's receive
   * waits a moment (RabbitMQ: 100 ms) while its consumer's set-up takes several round trips, so over a
   * network the first receives come back empty with the queue full. The queue's count decides.
   */
  async drain(): Promise<IngestReport> {
    const report: IngestReport = { new: 0, failedAgain: 0, alreadyIngested: 0 };
    for (const uri of this.errorQueueUris) {
      // Real time, not `clock` (a record's time, which a test may hold still).
      let lastTaken = performance.now();
      while (!this.stopping) {
        const outcome = await this.ingestOne(uri);
        if (outcome !== null) {
          report[REPORT_KEY[outcome]]++;
          lastTaken = performance.now();
          continue;
        }
        if (!(await this.stillHolds(uri)) || performance.now() - lastTaken >= DRAIN_PATIENCE_MS) break;
        await this.sleeper.sleep(DRAIN_RETRY_MS);
      }
    }
    return report;
  }

  /** Whether the queue still counts messages (a queue that cannot count is taken at its word: empty). */
  private async stillHolds(uri: string): Promise<boolean> {
    const queue = await this.receiver(uri);
    return isCountQueue(queue) && (await queue.count()) > 0;
  }

  /** Drains, then waits `idleMs`, until stop(); failures are logged and retried after the wait. */
  async run(logger: ILogger, idleMs = 1000, retentionMs?: number): Promise<void> {
    while (!this.stopping) {
      try {
        const report = await this.drain();
        if (report.new + report.failedAgain > 0) logger.info('failed messages ingested', { ...report });
        if (retentionMs !== undefined) await this.store.purge(this.clock() - retentionMs);
      } catch (error) {
        logger.warn('ingestion failed; trying again', { error: maskSecrets(String(error)) });
      }
      if (!this.stopping) await this.sleeper.sleep(idleMs);
    }
  }

  stop(): void {
    this.stopping = true;
    this.sleeper.interrupt();
  }

  private async ingestOne(uri: string): Promise<IngestOutcome | null> {
    const queue = await this.receiver(uri);
    const delivery = await queue.getMessage();
    if (!delivery) return null;
    let outcome: IngestOutcome;
    try {
      outcome = await this.store.ingest(delivery.body, this.queues.address(uri), this.clock());
    } catch (error) {
      await queue.release(delivery.token).catch(() => undefined);
      throw error;
    }
    try {
      await queue.acknowledge(delivery.token);
    } catch (error) {
      // Recorded already: handed back, it is ingested again as 'already-ingested' and acknowledged then. Left
      // unsettled on a live connection, it would sit in flight until the process stops.
      await queue.release(delivery.token).catch(() => undefined);
      throw error;
    }
    return outcome;
  }

  /**
   * The error queue's receiver, reached once first: a transport that connects in the background (RabbitMQ)
   * answers an early take with "nothing yet", so a broker that refuses the user, or is not there, would pass
   * for an empty error queue. Counting it fails instead, saying why.
   */
  private async receiver(uri: string): Promise<IQueue> {
    let queue = this.receivers.get(uri);
    if (!queue) {
      queue = this.queues.createReceiver(uri);
      this.receivers.set(uri, queue);
    }
    if (!this.reached.has(uri)) {
      if (isCountQueue(queue)) await queue.count();
      this.reached.add(uri);
    }
    return queue;
  }
}
