import type { QueueRegistry } from '../../transport/queue-registry.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { WithEnvelope } from '../received-message-state.js';
import type { DeferredMessageState } from './deferred-message-state.js';

/**
 * A due message goes back to the work queue; one not due yet goes to the back of the deferred queue
 * (so the processor can look at the others) and records when it will be due. Enqueue, then acknowledge:
 * a crash in between duplicates, never loses.
 */
export class ProcessDeferredMessageObserver implements IPipelineObserver<WithEnvelope<DeferredMessageState>, 'onProcessDeferredMessage'> {
  readonly event = 'onProcessDeferredMessage';

  constructor(
    private readonly queues: QueueRegistry,
    private readonly workQueueUri: string,
    private readonly deferredQueueUri: string,
    private readonly clock: () => number,
  ) {}

  async execute(state: WithEnvelope<DeferredMessageState>): Promise<void> {
    const tm = state.transportMessage;
    const due = tm.ignoreTillDate <= this.clock();
    await this.queues.sender(due ? this.workQueueUri : this.deferredQueueUri).enqueue(tm, state.received.body);
    await state.acknowledge();
    if (!due) state.dueAt = tm.ignoreTillDate;
  }
}
