import { ConfigurationError, NoRouteError, OncebusError } from '../../errors/errors.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { RouteTable } from '../../routing/route-table.js';
import type { ISubscriptionService } from '../../subscriptions/subscription-service.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/**
 * Finds where the message goes: `send` → local inbox, explicit recipient, or the route table;
 * `reply` → the handled message's sender; `publish` → every subscriber (none is not an error: nobody listens).
 * A destination not from the endpoint's own configuration — a reply address, a subscriber, a recipient —
 * must be on a connection it was configured for or trusts (QueueRegistry.checkDestination): checked here,
 * before anything is stored or connects, so a refusal fails the handled message (to the error queue).
 */
export class RouteMessageObserver implements IPipelineObserver<OutgoingMessageState, 'onRouteMessage'> {
  readonly event = 'onRouteMessage';

  constructor(
    private readonly routes: RouteTable,
    private readonly subscriptions: ISubscriptionService,
    private readonly inboxWorkQueueUri: string | undefined,
    private readonly queues: QueueRegistry,
  ) {}

  async execute(state: OutgoingMessageState): Promise<void> {
    const tm = state.transportMessage;
    switch (state.kind) {
      case 'publish': {
        const subscribers = await this.subscriptions.getSubscribers(tm.messageType);
        for (let i = 0; i < subscribers.length; i++) this.queues.checkDestination(subscribers[i]!);
        state.recipients = subscribers;
        return;
      }
      case 'reply': {
        const sender = state.received?.senderInboxWorkQueueUri;
        if (!sender) {
          throw new OncebusError('ONCEBUS_NO_REPLY_ADDRESS', 'reply: the handled message has no senderInboxWorkQueueUri', {
            messageId: state.received?.messageId,
          });
        }
        this.queues.checkDestination(sender);
        state.recipients = [sender];
        return;
      }
      case 'send': {
        const { local, recipient } = state.options;
        if (local && !this.inboxWorkQueueUri) {
          throw new ConfigurationError('send options.local', 'a send-only endpoint has no inbox to send to', { hint: 'route the message, or give it a recipient' });
        }
        // A recipient is often read from a message (a return address in its body): checked like a reply.
        if (!local && recipient) this.queues.checkDestination(recipient);
        const uri = local ? this.inboxWorkQueueUri : (recipient ?? this.routes.uriFor(tm.messageType));
        if (!uri) throw new NoRouteError(tm.messageType);
        state.recipients = [uri];
      }
    }
  }
}
