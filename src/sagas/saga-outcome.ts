import type { TransportMessage } from '../envelope/transport-message.js';

// The seam between the saga runtime and whoever observes it (oncebus/telemetry): the runtime records what
// it did with a received message, keyed by that message's envelope, and imports nothing of the observers;
// an observer reads it when the message's handling ends — and, since it knows then whether the unit of work
// committed, counts only what did.

/** What a saga made of one received message. */
export interface SagaOutcome {
  readonly sagaType: string;
  readonly instanceId: string;
  /** The message started this instance (it was inserted). */
  readonly started: boolean;
  /** The instance completed on this message. */
  readonly completed: boolean;
  /** The message was a timeout the instance ran (not one dropped as gone, completed or superseded). */
  readonly timeoutFired: boolean;
}

/** Per envelope, so it goes when the message does; the runtime records at most one per message. */
const outcomes = new WeakMap<TransportMessage, SagaOutcome>();

/**
 * Called by the saga runtime when it has the message's instance (loaded or new: every flag false, so a span
 * names the instance even if the handler fails), and again once the instance's save joined the unit of work.
 */
export function recordSagaOutcome(tm: TransportMessage, outcome: SagaOutcome): void {
  outcomes.set(tm, outcome);
}

/** What a saga made of `tm`, if a saga handled it (the unit of work may still have rolled back). */
export function sagaOutcomeOf(tm: TransportMessage): SagaOutcome | undefined {
  return outcomes.get(tm);
}
