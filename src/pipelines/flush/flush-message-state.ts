import type { TransportMessage } from '../../envelope/transport-message.js';
import type { DeferredMessage, IIdempotenceService } from '../../idempotence/idempotence-service.js';
import type { PipelineState } from '../../pipeline/pipeline.js';

/** One stored send on its way out after its handler's unit of work committed. */
export class FlushMessageState implements PipelineState {
  aborted = false;
  exception: unknown = undefined;
  exceptionHandled = false;
  /** The envelope as dispatched (read back from the stored bytes). */
  transportMessage: TransportMessage | null = null;

  constructor(
    readonly received: TransportMessage,
    readonly deferred: DeferredMessage,
    /** The service whose row this is, when not the endpoint's own (a transactional session's). */
    readonly store?: IIdempotenceService,
  ) {}
}
