import type { BusEvents } from '../../events/bus-events.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { serializeTransportMessage } from '../../envelope/wire-format.js';
import type { IIdempotenceClaim } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import { isTransactionalQueue } from '../../transport/queue.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/**
 * Writes one envelope per recipient (a publish keeps one messageId for all). Inside an idempotent unit
 * of work nothing goes on the wire: the envelope is stored in the transaction (addDeferredMessage), or
 * enqueued inside it when the recipient is a SQL queue of the same database. Otherwise it is enqueued
 * now: to the outbox when the endpoint has one, else straight to the recipient.
 */
export class DispatchMessageObserver implements IPipelineObserver<OutgoingMessageState, 'onDispatchMessage'> {
  readonly event = 'onDispatchMessage';

  constructor(
    private readonly queues: QueueRegistry,
    private readonly idempotence: IIdempotenceClaim,
    private readonly outboxUri: string | undefined,
    private readonly events: BusEvents,
  ) {}

  async execute(state: OutgoingMessageState): Promise<void> {
    const { recipients, unitOfWork } = state;
    for (let i = 0; i < recipients.length; i++) {
      const recipient = recipients[i]!;
      // The last (usually only) recipient takes the assembled envelope itself; others get a shallow copy.
      const tm: TransportMessage =
        i === recipients.length - 1 ? state.transportMessage : { ...state.transportMessage, recipientInboxWorkQueueUri: '' };
      // The envelope names the recipient by its address (no credentials); the queue is reached by the URI.
      tm.recipientInboxWorkQueueUri = this.queues.address(recipient);
      const bytes = serializeTransportMessage(tm);
      if (unitOfWork && state.received) {
        const target = this.queues.sender(recipient);
        if (isTransactionalQueue(target) && target.canEnlist(unitOfWork)) await target.enqueue(tm, bytes, unitOfWork);
        else await (state.store ?? this.idempotence).addDeferredMessage(state.received, tm, bytes, unitOfWork);
      } else {
        await this.queues.sender(this.outboxUri ?? recipient).enqueue(tm, bytes);
        this.events.emit('messageDispatched', tm);
      }
      state.dispatched.push(tm);
    }
  }
}
