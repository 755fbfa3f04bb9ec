import type { TransportMessage } from '../../envelope/transport-message.js';
import type { SendOptions } from '../../handling/send-options.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { type OutgoingKind, OutgoingMessageState, type SendOrigin } from './outgoing-message-state.js';

export type { SendOrigin };

const NO_OPTIONS: SendOptions = Object.freeze({});

/** Runs the outgoing pipeline for one message. */
export class MessageSender {
  constructor(private readonly outgoing: Pipeline<OutgoingMessageState>) {}

  /** Sends outside any handler (`bus.send`), or from one when `origin` is given. */
  async send(kind: OutgoingKind, message: object, options?: SendOptions, origin?: SendOrigin): Promise<TransportMessage[]> {
    const state = new OutgoingMessageState(kind, message, options ?? NO_OPTIONS, origin);
    await this.outgoing.execute(state);
    return state.dispatched;
  }
}
