import type { ILogger } from '../logging/logger.js';
import type { Pipeline, PipelineState } from '../pipeline/pipeline.js';
import { IdleBackOff } from './idle-back-off.js';

/** What a loop needs of a per-message state: whether a message was taken, and whether to pause after it. */
export interface LoopState extends PipelineState {
  readonly received: unknown;
  readonly backOff: boolean;
}

/** One receive loop as a health check sees it (IServiceBus.status). */
export interface ReceiveLoopStatus {
  readonly name: string;
  /** False once the loop has ended: after stop(), or if it died of an error it could not handle. */
  readonly running: boolean;
  /** When it last finished a turn (took a message or found none, then paused if it had to): epoch ms. */
  readonly lastTurnAt: number;
}

/** Why a receive loop paused: its queue was empty, a receive failed, or the message was released or put aside. */
export type BackOffReason = 'idle' | 'failure' | 'released';

/**
 * One receive loop: take a message through the pipeline, again and again, until stopped. An empty queue,
 * an infrastructure failure or a released message makes it sleep per `durationToSleepWhenIdle` (the last
 * entry repeats) so an outage does not become a hot loop; a handled message resets the back-off.
 * `stop()` ends the loop after the message in hand; `done` resolves then.
 */
export class ReceiveLoop<S extends LoopState> {
  private stopping = false;
  private running = true;
  private lastTurnAt = Date.now();
  private readonly idle: IdleBackOff;
  readonly done: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly pipeline: Pipeline<S>,
    private readonly newState: () => S,
    idleDurations: readonly number[],
    private readonly logger: ILogger,
    /** Hears each pause and why: an empty queue, a failed receive, or a message released or put aside. */
    private readonly onBackOff?: (loop: string, reason: BackOffReason) => void,
  ) {
    this.idle = new IdleBackOff(idleDurations);
    this.done = this.run().finally(() => (this.running = false));
  }

  get status(): ReceiveLoopStatus {
    return { name: this.name, running: this.running, lastTurnAt: this.lastTurnAt };
  }

  stop(): void {
    this.stopping = true;
    this.idle.interrupt();
  }

  private async run(): Promise<void> {
    // Let the constructor return (and the bus record `done`) before the first message.
    await Promise.resolve();
    while (!this.stopping) {
      const state = this.newState();
      let failed = false;
      try {
        await this.pipeline.execute(state);
      } catch (error) {
        failed = true;
        this.logger.warn(`${this.name}: receive failed`, { error: String(error) });
      }
      // One clock read per message: what a stall check compares against.
      this.lastTurnAt = Date.now();
      if (this.stopping) break;
      const reason: BackOffReason | null = failed ? 'failure' : state.received === null ? 'idle' : state.backOff ? 'released' : null;
      if (reason === null) {
        this.idle.reset();
        continue;
      }
      this.onBackOff?.(this.name, reason);
      await this.idle.sleep();
    }
  }
}
