import { messageType } from '../../src/messages/message-type.js';

// The saga workload's messages. Each carries the instance's correlation value (`key`) and a label that
// names it within the instance, so the oracle can fold an instance's committed messages and compare.
// Two sagas run side by side, one keeping its completed instances and one removing them at once (the
// default): each needs message types of its own (one handler per message type per endpoint).

/** How a saga ends its instances: kept (keepCompletedFor, answering nothing) or removed at once. */
export type Completion = 'kept' | 'removed';

/** The four message types of one saga. */
export interface SagaMessages {
  /** Starts an instance (two are sent per instance, as different messages, racing); the new instance asks for its timeout. */
  readonly Begin: new (key: string, label: string, timeoutMs: number) => { key: string; label: string; timeoutMs: number };
  /** Advances an instance; several per instance are delivered at once. reRequestMs ≠ 0: requests the timeout again (same name). */
  readonly Advance: new (key: string, label: string, reRequestMs: number) => { key: string; label: string; reRequestMs: number };
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
      public reRequestMs = 0,
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
