import { randomUUID } from 'node:crypto';
import type { BusEvents } from '../bus/bus-events.js';
import type { ILogger } from '../logging/logger.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { FlushMessageState } from '../pipelines/flush/flush-message-state.js';
import type { MessageSender } from '../pipelines/outgoing/message-sender.js';
import { dispatchOwedSends } from './dispatch-owed-sends.js';
import { sessionEnvelope } from './session-envelope.js';
import type { ISessionIdempotenceService } from './session-service.js';
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

  private async runOne<R, TTransaction>(work: (session: ITransactionalSession<TTransaction>) => Promise<R>): Promise<R> {
    const envelope = sessionEnvelope(randomUUID(), this.clock());
    const uow = await this.service.beginUnitOfWork();
    const session = new TransactionalSession<TTransaction>(this.service, uow, envelope, this.sender);
    let result: R;
    try {
      result = await (uow.within ? uow.within(() => work(session)) : work(session));
      await session.end();
      if (session.claimed) await this.service.messageHandled(envelope, uow);
      await uow.commit();
    } catch (error) {
      await session.end().catch(() => undefined);
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
