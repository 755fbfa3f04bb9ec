import type { TransportMessage } from '../../envelope/transport-message.js';
import type { SendOptions } from '../../handling/send-options.js';
import type { IIdempotenceService } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { PipelineState } from '../../pipeline/pipeline.js';

export type OutgoingKind = 'send' | 'publish' | 'reply';

/** Where an outgoing message comes from: the message being handled and its unit of work. */
export interface SendOrigin {
  /** The message being handled when this one was sent (causation, correlation, headers). */
  readonly received: TransportMessage;
  /** Set when sent from a handler with idempotence on: the send is stored, not dispatched. */
  readonly unitOfWork: IUnitOfWork | null;
  /** Where the stored send goes, when not the endpoint's idempotence service (a transactional session's). */
  readonly store?: IIdempotenceService;
}

/**
 * One outgoing message through the transport-message pipeline (assemble → serialize → compress →
 * encrypt) and then the dispatch pipeline (route → dispatch per recipient). The body is serialized once,
 * however many subscribers a publish reaches; only the envelope is written per recipient.
 */
export class OutgoingMessageState implements PipelineState {
  aborted = false;
  exception: unknown = undefined;
  exceptionHandled = false;

  /** Filled by onAssembleMessage; `recipientInboxWorkQueueUri` is set per recipient at dispatch. */
  transportMessage!: TransportMessage;
  recipients: readonly string[] = [];
  /** One envelope per recipient, as dispatched. */
  readonly dispatched: TransportMessage[] = [];

  /** The message being handled when this one was sent (SendOrigin), or null outside a handler. */
  readonly received: TransportMessage | null;
  readonly unitOfWork: IUnitOfWork | null;
  readonly store: IIdempotenceService | undefined;

  constructor(
    readonly kind: OutgoingKind,
    readonly message: object,
    readonly options: SendOptions,
    origin?: SendOrigin,
  ) {
    this.received = origin?.received ?? null;
    this.unitOfWork = origin?.unitOfWork ?? null;
    this.store = origin?.store;
  }
}
