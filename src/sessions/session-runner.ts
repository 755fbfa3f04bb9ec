import { randomUUID } from 'node:crypto';
import type { BusEvents } from '../events/bus-events.js';
import { BusStateError } from '../errors/errors.js';
import type { ILogger } from '../logging/logger.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { FlushMessageState } from '../pipelines/flush/flush-message-state.js';
import type { MessageSender } from '../pipelines/outgoing/message-sender.js';
import { dispatchOwedSends } from './dispatch-owed-sends.js';
import { sessionEnvelope } from './session-envelope.js';
import type { ISessionIdempotenceService } from '../idempotence/session-idempotence-service.js';
import { type ITransactionalSession, TransactionalSession } from './transactional-session.js';

/**
 * Runs transactional sessions for one endpoint: open a transaction on the idempotence store, run the
 * user's work with a session, mark the session's row handled (taking the flush lease) and commit, then
 * dispatch what it stored. A failure before the commit rolls everything back and rethrows: nothing is sent.
 * A failure after it (the broker down) is logged, not thrown — the work is committed and the messages are
 * owed: once the lease runs out the sweeper dispatches them.
 */
export class SessionRunner {
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Sessions whose work has not yet reached its commit: what abandon() may still roll back. */
  private readonly working = new Set<(reason: Error) => void>();

  constructor(
    readonly service: ISessionIdempotenceService,
    private readonly sender: MessageSender,
    private readonly flush: Pipeline<FlushMessageState>,
    private readonly logger: ILogger,
    private readonly events: BusEvents,
    private readonly clock: () => number,
  ) {}

  run<R, TTransaction>(work: (session: ITransactionalSession<TTransaction>) => Promise<R>): Promise<R> {
    const running = this.runOne(work);
    this.inFlight.add(running);
    const forget = () => this.inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** Resolves once every session begun so far has ended (stop waits for them). */
  async drained(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Gives up on the sessions whose work outlasted stop's timeout: each rolls back (its transaction's later
   * statements and sends are refused) and its caller gets a BusStateError, so the store can close. A session
   * already committing is left to finish: what it committed is dispatched or owed to the sweeper.
   */
  abandon(): void {
    const reason = new BusStateError('the bus stopped while this session was still running (its stopTimeout ran out): it rolled back and sent nothing');
    for (const giveUp of this.working) giveUp(reason);
    this.working.clear();
  }

  private async runOne<R, TTransaction>(work: (session: ITransactionalSession<TTransaction>) => Promise<R>): Promise<R> {
    const envelope = sessionEnvelope(randomUUID(), this.clock());
    const uow = await this.service.beginUnitOfWork();
    const session = new TransactionalSession<TTransaction>(this.service, uow, envelope, this.sender);
    let giveUp!: (reason: Error) => void;
    const abandoned = new Promise<never>((_, reject) => {
      giveUp = reject;
    });
    abandoned.catch(() => undefined);
    this.working.add(giveUp);
    let result: R;
    try {
      result = await Promise.race([uow.within ? uow.within(() => work(session)) : work(session), abandoned]);
      await Promise.race([session.end(), abandoned]);
      if (session.claimed) await Promise.race([this.service.messageHandled(envelope, uow), abandoned]);
      this.working.delete(giveUp); // from here the session commits: stop lets it finish
      await uow.commit();
    } catch (error) {
      const closing = session.end().catch(() => undefined); // no more sends from here
      // Work that failed: let its sends under way finish before the rollback. Work that stop abandoned may be
      // stuck in a statement: roll back at once (that cancels it).
      if (this.working.delete(giveUp)) await closing;
      await uow.rollback().catch(() => undefined);
      throw error;
    }
    if (session.claimed) await this.dispatch(envelope);
    return result;
  }

  private async dispatch(envelope: ReturnType<typeof sessionEnvelope>): Promise<void> {
    try {
      await dispatchOwedSends(this.service, envelope, this.flush, 'release');
      this.events.emit('sessionDispatched', envelope.messageId, 'session');
    } catch (error) {
      this.logger.warn('session committed but its messages could not be dispatched yet; the sweeper will send them', {
        sessionId: envelope.messageId,
        error: String(error),
      });
    }
  }
}
