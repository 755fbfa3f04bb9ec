import { ConfigurationError, NoRouteError, OncebusError } from '../../errors/errors.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { RouteTable } from '../../routing/route-table.js';
import type { ISubscriptionService } from '../../subscriptions/subscription-service.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/**
 * Finds where the message goes: `send` → local inbox, explicit recipient, or the route table;
 * `reply` → the handled message's sender; `publish` → every subscriber (none is not an error: nobody listens).
 */
export class RouteMessageObserver implements IPipelineObserver<OutgoingMessageState, 'onRouteMessage'> {
  readonly event = 'onRouteMessage';

  constructor(
    private readonly routes: RouteTable,
    private readonly subscriptions: ISubscriptionService,
    private readonly inboxWorkQueueUri: string | undefined,
  ) {}

  async execute(state: OutgoingMessageState): Promise<void> {
    const tm = state.transportMessage;
    switch (state.kind) {
      case 'publish':
        state.recipients = await this.subscriptions.getSubscribers(tm.messageType);
        return;
      case 'reply': {
        const sender = state.received?.senderInboxWorkQueueUri;
        if (!sender) {
          throw new OncebusError('ONCEBUS_NO_REPLY_ADDRESS', 'reply: the handled message has no senderInboxWorkQueueUri', {
            messageId: state.received?.messageId,
          });
        }
        state.recipients = [sender];
        return;
      }
      case 'send': {
        const { local, recipient } = state.options;
        if (local && !this.inboxWorkQueueUri) {
          throw new ConfigurationError('send options.local', 'a send-only endpoint has no inbox to send to', { hint: 'route the message, or give it a recipient' });
        }
        const uri = local ? this.inboxWorkQueueUri : (recipient ?? this.routes.uriFor(tm.messageType));
        if (!uri) throw new NoRouteError(tm.messageType);
        state.recipients = [uri];
      }
    }
  }
}
