import type { BusEvents } from '../../events/bus-events.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import { isIgnoring } from '../../envelope/transport-message.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import { isSchedulingQueue } from '../../transport/queue.js';
import type { InboxRead } from './inbox-message-state.js';

/**
 * A message not due yet (ignoreTillDate in the future: a deferred send or a retry back-off) moves to the
 * deferred queue, which returns it when due. Enqueue first, acknowledge second: a crash between the two
 * leaves a duplicate (harmless with idempotence), never a loss. Without a deferred queue the message goes
 * back to the work queue and the loop backs off (the transport schedules it, if it can).
 */
export class DeferMessageObserver implements IPipelineObserver<InboxRead, 'onDeferMessage'> {
  readonly event = 'onDeferMessage';

  constructor(
    private readonly queues: QueueRegistry,
    private readonly workQueueUri: string,
    private readonly deferredQueueUri: string | undefined,
    private readonly clock: () => number,
    private readonly events: BusEvents,
  ) {}

  // Not async: the common case (due now) costs no promise and no microtask.
  execute(state: InboxRead): Promise<void> | undefined {
    if (!isIgnoring(state.transportMessage, this.clock())) return;
    return this.defer(state);
  }

  private async defer(state: InboxRead): Promise<void> {
    const tm = state.transportMessage;
    const target = this.queues.sender(this.deferredQueueUri ?? this.workQueueUri);
    await target.enqueue(tm, state.received.body);
    await state.acknowledge();
    if (!this.deferredQueueUri && !isSchedulingQueue(target)) state.backOff = true;
    this.events.emit('messageDeferred', tm);
    state.aborted = true;
  }
}
