import { messageType } from '../../src/messages/message-type.js';

// The saga workload's messages. Each carries the instance's correlation value (`key`) and a label that
// names it within the instance, so the oracle can fold an instance's committed messages and compare.

/** Starts an instance (two are sent per instance, as different messages, racing); the new instance asks for its timeout. */
@messageType('simsaga.Begin')
export class Begin {
  constructor(
    public key = '',
    public label = '',
    /** The timeout the new instance requests, in virtual ms from its start. */
    public timeoutMs = 0,
  ) {}
}

/** Advances an instance; several per instance are delivered at once. */
@messageType('simsaga.Advance')
export class Advance {
  constructor(
    public key = '',
    public label = '',
    /** When not 0, the handler requests the timeout again (same name): the earlier token is then stale. */
    public reRequestMs = 0,
  ) {}
}

/** Completes an instance, racing its timeout. Never sent for some instances: their timeout completes them. */
@messageType('simsaga.Finish')
export class Finish {
  constructor(public key = '') {}
}

/** The timeout; `round` 1 is requested at the start, 2 by a re-request (which replaces 1's token). */
@messageType('simsaga.Expire')
export class Expire {
  constructor(
    public key = '',
    public round = 1,
  ) {}
}

/** What an instance keeps: the labels of the messages applied to it, in the order they were applied. */
export class Fold {
  key = '';
  applied: string[] = [];
}
