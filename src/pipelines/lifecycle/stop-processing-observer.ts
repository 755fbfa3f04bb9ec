import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import { finishesWithin } from '../../processing/finishes-within.js';
import type { HandlerWatchdog } from '../../processing/handler-watchdog.js';
import type { LifecycleState } from './lifecycle-state.js';

/**
 * Graceful stop: no loop takes another message; in-flight messages get `stopTimeout` to finish. After it
 * the handlers' AbortSignal fires and their pipelines stop waiting for them: each unit of work rolls back
 * and its message is released (no failure counted), so no transaction outlives stop() because a handler
 * ignored its signal. What is still unsettled after another `stopTimeout` (a flush on a dead broker) is
 * released when the queues close next, so nothing is lost either way.
 */
export class StopProcessingObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onStopProcessing';

  constructor(
    private readonly abort: AbortController,
    private readonly watchdog: HandlerWatchdog,
  ) {}

  async execute(state: LifecycleState): Promise<void> {
    const { options, logger } = state.services;
    for (const p of state.processors) p.stop();
    const all = Promise.all(state.processors.map((p) => p.done));
    if (await finishesWithin(all, options.stopTimeoutMs)) return;
    logger.warn('stop timeout passed with messages in flight; aborting their handlers', { endpoint: options.name });
    this.abort.abort();
    this.watchdog.abortAll(this.abort.signal.reason);
    if (!(await finishesWithin(all, options.stopTimeoutMs))) {
      logger.warn('handlers did not finish after abort; their messages are released for redelivery', { endpoint: options.name });
    }
  }
}
