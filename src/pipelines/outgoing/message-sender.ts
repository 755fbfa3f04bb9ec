import type { TransportMessage } from '../../envelope/transport-message.js';
import type { SendOptions } from '../../handling/send-options.js';
import type { IIdempotenceService } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { type OutgoingKind, OutgoingMessageState } from './outgoing-message-state.js';

const NO_OPTIONS: SendOptions = Object.freeze({});

/** Where an outgoing message comes from: the message being handled and its unit of work, or neither. */
export interface SendOrigin {
  /** The message being handled when this one was sent (causation, correlation, headers). */
  readonly received: TransportMessage;
  /** Set when sent from a handler with idempotence on: the send is stored, not dispatched. */
  readonly unitOfWork: IUnitOfWork | null;
  /** Where the stored send goes, when not the endpoint's idempotence service (a transactional session's). */
  readonly store?: IIdempotenceService;
}

/** Runs the outgoing pipeline for one message. */
export class MessageSender {
  constructor(private readonly outgoing: Pipeline<OutgoingMessageState>) {}

  /** Sends outside any handler (`bus.send`), or from one when `origin` is given. */
  async send(kind: OutgoingKind, message: object, options?: SendOptions, origin?: SendOrigin): Promise<TransportMessage[]> {
    const state = new OutgoingMessageState(kind, message, options ?? NO_OPTIONS, origin?.received ?? null, origin?.unitOfWork ?? null, origin?.store);
    await this.outgoing.execute(state);
    return state.dispatched;
  }
}
