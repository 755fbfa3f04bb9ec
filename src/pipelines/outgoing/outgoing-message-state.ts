import type { TransportMessage } from '../../envelope/transport-message.js';
import type { SendOptions } from '../../handling/send-options.js';
import type { IIdempotenceService } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { PipelineState } from '../../pipeline/pipeline.js';

export type OutgoingKind = 'send' | 'publish' | 'reply';

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

  constructor(
    readonly kind: OutgoingKind,
    readonly message: object,
    readonly options: SendOptions,
    /** The message being handled when this one was sent (causation, correlation, headers), or null. */
    readonly received: TransportMessage | null,
    /** Set when sent from a handler with idempotence on: the send is stored, not dispatched. */
    readonly unitOfWork: IUnitOfWork | null,
    /** Where the stored send goes, when not the endpoint's idempotence service (a transactional session's). */
    readonly store?: IIdempotenceService,
  ) {}
}
