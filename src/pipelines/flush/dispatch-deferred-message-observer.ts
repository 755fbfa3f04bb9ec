import type { BusEvents } from '../../events/bus-events.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import { deserializeTransportMessage } from '../../envelope/wire-format.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { FlushMessageState } from './flush-message-state.js';

/** Puts a stored send on the wire exactly as stored (same messageId), via the outbox when there is one. */
export class DispatchDeferredMessageObserver implements IPipelineObserver<FlushMessageState, 'onDispatchDeferredMessage'> {
  readonly event = 'onDispatchDeferredMessage';

  constructor(
    private readonly queues: QueueRegistry,
    private readonly outboxUri: string | undefined,
    private readonly events: BusEvents,
  ) {}

  async execute(state: FlushMessageState): Promise<void> {
    const { deferred } = state;
    // The transport wants the envelope's metadata (id, priority, expiry, due time): read it from the stored bytes.
    const tm = deserializeTransportMessage(deferred.body);
    state.transportMessage = tm;
    await this.queues.sender(this.outboxUri ?? deferred.recipientUri).enqueue(tm, deferred.body);
    this.events.emit('messageDispatched', tm);
  }
}
