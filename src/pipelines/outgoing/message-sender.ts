import type { TransportMessage } from '../../envelope/transport-message.js';
import type { SendOptions } from '../../handling/send-options.js';
import type { IIdempotenceService } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { type OutgoingKind, OutgoingMessageState } from './outgoing-message-state.js';

const NO_OPTIONS: SendOptions = Object.freeze({});

/** Runs the transport-message pipeline, then the dispatch pipeline, for one outgoing message. */
export class MessageSender {
  constructor(
    private readonly transportMessage: Pipeline<OutgoingMessageState>,
    private readonly dispatch: Pipeline<OutgoingMessageState>,
  ) {}

  async send(
    kind: OutgoingKind,
    message: object,
    options: SendOptions | undefined,
    received: TransportMessage | null,
    unitOfWork: IUnitOfWork | null,
    store?: IIdempotenceService,
  ): Promise<TransportMessage[]> {
    const state = new OutgoingMessageState(kind, message, options ?? NO_OPTIONS, received, unitOfWork, store);
    await this.transportMessage.execute(state);
    await this.dispatch.execute(state);
    return state.dispatched;
  }
}
