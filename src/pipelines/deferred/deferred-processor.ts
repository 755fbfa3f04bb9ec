import type { ILogger } from '../../logging/logger.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { DeferredMessageState } from './deferred-message-state.js';
import type { IQueue } from '../../transport/queue.js';
import { IdleBackOff } from '../../processing/idle-back-off.js';
import { Sleeper } from '../../processing/sleeper.js';

/**
 * Runs the deferred pipeline over the deferred queue. Not-due messages cycle to the back of the queue;
 * once a message comes round a second time the processor has seen them all and sleeps until the
 * earliest is due (at most `maxSleepMs`, so a new, earlier message waits no longer than that).
 */
export class DeferredProcessor {
  private stopping = false;
  private readonly idle: IdleBackOff;
  private readonly nap = new Sleeper();
  readonly done: Promise<void>;

  constructor(
    private readonly pipeline: Pipeline<DeferredMessageState>,
    private readonly queue: IQueue,
    idleDurations: readonly number[],
    private readonly maxSleepMs: number,
    private readonly clock: () => number,
    private readonly logger: ILogger,
  ) {
    this.idle = new IdleBackOff(idleDurations);
    this.done = this.run();
  }

  stop(): void {
    this.stopping = true;
    this.idle.interrupt();
    this.nap.interrupt();
  }

  private async run(): Promise<void> {
    await Promise.resolve();
    const seen = new Set<string>();
    let earliest = Number.POSITIVE_INFINITY;
    while (!this.stopping) {
      const state = new DeferredMessageState(this.queue);
      try {
        await this.pipeline.execute(state);
      } catch (error) {
        this.logger.warn('deferred: receive failed', { error: String(error) });
        state.backOff = true;
      }
      if (this.stopping) break;
      if (state.received === null || state.backOff) {
        seen.clear();
        earliest = Number.POSITIVE_INFINITY;
        await this.idle.sleep();
        continue;
      }
      this.idle.reset();
      if (state.dueAt === 0) continue;
      // dueAt is set only by the processing step, which runs after the envelope was read.
      const id = state.transportMessage!.messageId;
      earliest = Math.min(earliest, state.dueAt);
      if (!seen.has(id)) {
        seen.add(id);
        continue;
      }
      const wait = Math.min(Math.max(earliest - this.clock(), 0), this.maxSleepMs);
      seen.clear();
      earliest = Number.POSITIVE_INFINITY;
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.nap.sleep(ms);
  }
}
