import type { BusEvents } from '../../events/bus-events.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { WithEnvelope } from '../received-message-state.js';

/** Forwards an outbox message, unchanged, to the queue its envelope names (when on a configured connection). */
export class SendOutboxMessageObserver implements IPipelineObserver<WithEnvelope, 'onSendOutboxMessage'> {
  readonly event = 'onSendOutboxMessage';

  constructor(
    private readonly queues: QueueRegistry,
    private readonly events: BusEvents,
  ) {}

  async execute(state: WithEnvelope): Promise<void> {
    const tm = state.transportMessage;
    // Whoever can write to the outbox queue chose this recipient: it must be on a configured connection.
    this.queues.checkDestination(tm.recipientInboxWorkQueueUri);
    await this.queues.sender(tm.recipientInboxWorkQueueUri).enqueue(tm, state.received.body);
    this.events.emit('messageDispatched', tm);
  }
}
