import { messageType } from '../../src/messages/message-type.js';

// The saga workload's messages. Each carries the instance's correlation value (`key`) and a label that
// names it within the instance, so the oracle can fold an instance's committed messages and compare.
// Two sagas run side by side, one keeping its completed instances and one removing them at once (the
// default): each needs message types of its own (one handler per message type per endpoint).

/** How a saga ends its instances: kept (keepCompletedFor, answering nothing) or removed at once. */
export type Completion = 'kept' | 'removed';

/** What an advancing event does besides recording itself. */
export interface AdvanceEffect {
  /** Not 0: requests the timeout again (same name) this long from now; the earlier token goes stale. */
  readonly reRequestMs: number;
  /** Cancels the timeout (its token is removed: a delivered copy is dropped). Only where a Finish will come. */
  readonly cancels: boolean;
  /** Not 0: the first attempt that finds its instance stalls this long, ignoring its signal, past handlerTimeout, then goes on as if nothing happened. */
  readonly stallMs: number;
}

export const NO_EFFECT: AdvanceEffect = { reRequestMs: 0, cancels: false, stallMs: 0 };

/** The four message types of one saga. */
export interface SagaMessages {
  /** Starts an instance (two are sent per instance, as different messages, racing); the new instance asks for its timeout. */
  readonly Begin: new (key: string, label: string, timeoutMs: number) => { key: string; label: string; timeoutMs: number };
  /** Advances an instance; several per instance are delivered at once. */
  readonly Advance: new (key: string, label: string, effect: AdvanceEffect) => { key: string; label: string; effect: AdvanceEffect };
  /** Completes an instance, racing its timeout. Never sent for some instances: their timeout completes them. */
  readonly Finish: new (key: string) => { key: string };
  /** The timeout; `round` 1 is requested at the start, 2 by a re-request (which replaces 1's token). */
  readonly Expire: new (key: string, round: number) => { key: string; round: number };
}

function sagaMessages(completion: Completion): SagaMessages {
  @messageType(`simsaga.${completion}.Begin`)
  class Begin {
    constructor(
      public key = '',
      public label = '',
      public timeoutMs = 0,
    ) {}
  }
  @messageType(`simsaga.${completion}.Advance`)
  class Advance {
    constructor(
      public key = '',
      public label = '',
      public effect: AdvanceEffect = NO_EFFECT,
    ) {}
  }
  @messageType(`simsaga.${completion}.Finish`)
  class Finish {
    constructor(public key = '') {}
  }
  @messageType(`simsaga.${completion}.Expire`)
  class Expire {
    constructor(
      public key = '',
      public round = 1,
    ) {}
  }
  return { Begin, Advance, Finish, Expire };
}

export const MESSAGES: Readonly<Record<Completion, SagaMessages>> = { kept: sagaMessages('kept'), removed: sagaMessages('removed') };

/** What an instance keeps: the labels of the messages applied to it, in the order they were applied. */
export class Fold {
  key = '';
  applied: string[] = [];
}
