import type { IIdempotenceFlush } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { FlushMessageState } from './flush-message-state.js';

/** Deletes the stored send (this recipient's row alone) once it is on the wire, so a later flush does not send it again. */
export class MarkDeferredMessageSentObserver implements IPipelineObserver<FlushMessageState, 'onDeferredMessageSent'> {
  readonly event = 'onDeferredMessageSent';

  constructor(private readonly idempotence: IIdempotenceFlush) {}

  async execute(state: FlushMessageState): Promise<void> {
    await (state.store ?? this.idempotence).deferredMessageSent(state.received, state.deferred);
  }
}
