import type { BusEvents } from '../events/bus-events.js';
import type { ILogger } from '../logging/logger.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { FlushMessageState } from '../pipelines/flush/flush-message-state.js';
import type { Processor } from '../processing/processor.js';
import { Sleeper } from '../processing/sleeper.js';
import { dispatchOwedSends } from './dispatch-owed-sends.js';
import { sessionEnvelope } from './session-envelope.js';
import type { ISessionIdempotenceService } from '../idempotence/session-idempotence-service.js';

/** Sessions looked at per pass: a pass ends within a bound, the next one takes the rest. */
const BATCH = 100;

/**
 * Nothing owed is forgotten: at start and then every `intervalMs`, finds sessions that committed and whose
 * dispatch never finished (the process died between commit and dispatch, or its broker was down) once
 * their flush lease has run out, and dispatches them. Safe with several processes: each takes a session's
 * flush lease before sending, so one process sends it; a process that stalls past its lease may send
 * again, under the same messageIds, which receivers with idempotence drop.
 */
export class SessionSweeper implements Processor {
  private stopping = false;
  private readonly sleeper = new Sleeper();
  readonly done: Promise<void>;

  constructor(
    private readonly service: ISessionIdempotenceService,
    private readonly flush: Pipeline<FlushMessageState>,
    private readonly intervalMs: number,
    private readonly logger: ILogger,
    private readonly events: BusEvents,
    private readonly clock: () => number,
  ) {
    this.done = this.run();
  }

  stop(): void {
    this.stopping = true;
    this.sleeper.interrupt();
  }

  /** One pass; resolves to the sessions it dispatched. */
  async sweep(): Promise<number> {
    let dispatched = 0;
    for (const id of await this.service.orphanedSessions(this.clock(), BATCH)) {
      if (this.stopping) break;
      try {
        await dispatchOwedSends(this.service, sessionEnvelope(id, 0), this.flush, 'hold');
        dispatched++;
        this.events.emit('sessionDispatched', id, 'sweeper');
      } catch (error) {
        this.logger.warn('sweeper could not dispatch a session yet; it tries again once its flush lease runs out', { sessionId: id, error: String(error) });
      }
    }
    return dispatched;
  }

  private async run(): Promise<void> {
    await Promise.resolve();
    while (!this.stopping) {
      const full = await this.sweep().then(
        (n) => n >= BATCH,
        (error: unknown) => {
          this.logger.warn('session sweep failed; trying again later', { error: String(error) });
          return false;
        },
      );
      if (!this.stopping && !full) await this.sleeper.sleep(this.intervalMs);
    }
  }
}
