import type { IPipelineObserver, Pipeline } from '../../pipeline/pipeline.js';
import { SessionSweeper } from '../../sessions/session-sweeper.js';
import type { FlushMessageState } from '../flush/flush-message-state.js';
import type { LifecycleState } from './lifecycle-state.js';

/**
 * Starts the transactional sessions' service (its schema) and their sweeper, which dispatches sessions
 * committed and never dispatched — once now, then on its interval — when the bound store offers sessions.
 */
export class StartSessionsObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onStartSessions';

  constructor(private readonly flush: Pipeline<FlushMessageState>) {}

  async execute(state: LifecycleState): Promise<void> {
    const { sessions, options, logger, events, clock } = state.services;
    if (!sessions) return;
    await sessions.start?.({ concurrency: 0 });
    if (options.sessionSweepIntervalMs === 0) return; // another process of the endpoint sweeps
    state.processors.push(new SessionSweeper(sessions, this.flush, options.sessionSweepIntervalMs, logger, events, clock));
  }
}
