import type { ReceiveLoopStatus } from '../processing/receive-loop.js';

/** Where a bus is in its life: `stopping` begins when stop() is called, before anything has stopped. */
export type BusPhase = 'stopped' | 'starting' | 'started' | 'stopping';

/** What a bus can tell a health check about itself, now (IServiceBus.status). Cheap: no I/O. */
export interface BusStatus {
  /** The endpoint's name (its `name` option; else its inbox URI, secrets masked; else `send-only`). */
  readonly endpoint: string;
  readonly phase: BusPhase;
  /** The inbox and outbox receive loops (none on a send-only endpoint, none while stopped). */
  readonly receiveLoops: readonly ReceiveLoopStatus[];
  /**
   * A running loop that has not finished a turn for this long is stuck: longer than a handler may run
   * (`handlerTimeout`), a stop may wait (`stopTimeout`), its longest idle pause and a minute for the
   * transport and store to answer.
   */
  readonly stallAfterMs: number;
}
