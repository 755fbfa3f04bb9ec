import type { EndpointServices } from '../modules/endpoint-services.js';
import { finishesWithin } from '../processing/finishes-within.js';
import type { Processor } from '../processing/processor.js';
import { ReceiveLoop, type ReceiveLoopStatus } from '../processing/receive-loop.js';
import { SessionSweeper } from '../sessions/session-sweeper.js';
import { ScheduleTick } from '../schedules/schedule-tick.js';
import { Scheduler } from '../schedules/scheduler.js';
import { tickMessageId } from '../schedules/tick-message-ids.js';
import { isCreateQueue } from '../transport/queue.js';
import type { EndpointPipelines } from './build-pipelines.js';
import { startProcessors } from './start-processors.js';

/**
 * Starts and stops one endpoint, in this order. Start: create its queues (with `createQueues`), start the
 * idempotence service (schema, retention), subscribe, start the receive loops and the schedules' ticks, then
 * the sessions' service and sweeper. Stop: the loops first (in-flight messages finish or are released), then the idempotence service,
 * the sessions' service, and the queues. A step that fails ends the sequence there; `stop()` after a failed
 * `start()` undoes what the start got to.
 */
export class EndpointLifecycle {
  private readonly processors: Processor[] = [];

  constructor(
    private readonly s: EndpointServices,
    private readonly pipelines: EndpointPipelines,
    /** Message types this endpoint subscribes to. */
    private readonly subscriptions: readonly string[],
    /** Aborted when stop() gives up waiting for in-flight messages. */
    private readonly abort: AbortController,
  ) {}

  async start(): Promise<void> {
    const { options, idempotence, subscriptions, address, sessions, logger, events, clock } = this.s;
    await this.createQueues();
    await idempotence.start?.({ concurrency: options.inbox?.threadCount ?? 1 });
    if (this.subscriptions.length > 0) await subscriptions.subscribe(this.subscriptions, address);
    this.processors.push(...startProcessors(this.s, this.pipelines));
    if (options.schedules.length > 0) this.processors.push(this.startScheduler());
    if (!sessions) return;
    await sessions.start?.({ concurrency: 0 });
    // 0: another process of the endpoint sweeps. The sweeper dispatches sessions committed and never dispatched.
    if (options.sessionSweepIntervalMs === 0) return;
    this.processors.push(new SessionSweeper(sessions, this.pipelines.flush, options.sessionSweepIntervalMs, logger, events, clock));
  }

  /** The inbox and outbox receive loops, for a health check. */
  receiveLoops(): ReceiveLoopStatus[] {
    return this.processors.filter((p) => p instanceof ReceiveLoop).map((p) => p.status);
  }

  async stop(): Promise<void> {
    await this.stopProcessing();
    await this.s.idempotence.stop?.();
    await this.s.sessions?.stop?.();
    // Closes every queue object: anything taken and not settled goes back to its queue.
    await this.s.queues.close();
  }

  /** Fires the schedules' ticks to the endpoint's own inbox, each under its derived id (see schedules/). */
  private startScheduler(): Scheduler {
    const { options, address, clock, logger } = this.s;
    const fire = async (schedule: { readonly name: string }, tickMs: number): Promise<void> => {
      const tick = new ScheduleTick(schedule.name, new Date(tickMs).toISOString());
      await this.pipelines.sender.send('send', tick, { local: true, messageId: tickMessageId(address, schedule.name, tickMs) });
    };
    return new Scheduler(options.schedules, fire, clock, logger);
  }

  /** The endpoint's own queues (and routed ones), where the transport can create them. */
  private async createQueues(): Promise<void> {
    const { options, queues, routes } = this.s;
    if (!options.createQueues) return;
    const { inbox, outbox } = options;
    const uris = [inbox?.workQueueUri, inbox?.errorQueueUri, inbox?.deferredQueueUri, outbox?.workQueueUri, outbox?.errorQueueUri, ...routes.uris];
    for (const uri of new Set(uris)) {
      if (!uri) continue;
      const q = queues.sender(uri);
      if (isCreateQueue(q)) await q.create();
    }
  }

  /**
   * Graceful: no loop takes another message; in-flight messages get `stopTimeout` to finish. After it the
   * handlers' AbortSignal fires and their pipelines stop waiting for them: each unit of work rolls back and
   * its message is released (no failure counted), so no transaction outlives stop() because a handler
   * ignored its signal. What is still unsettled after another `stopTimeout` (a flush on a dead broker) is
   * released when the queues close next, so nothing is lost either way.
   */
  private async stopProcessing(): Promise<void> {
    const { options, logger } = this.s;
    for (const p of this.processors) p.stop();
    const all = Promise.all(this.processors.map((p) => p.done));
    if (await finishesWithin(all, options.stopTimeoutMs)) return;
    logger.warn('stop timeout passed with messages in flight; aborting their handlers', { endpoint: options.name });
    this.abort.abort();
    this.pipelines.watchdog.abortAll(this.abort.signal.reason);
    if (!(await finishesWithin(all, options.stopTimeoutMs))) {
      logger.warn('handlers did not finish after abort; their messages are released for redelivery', { endpoint: options.name });
    }
  }
}
