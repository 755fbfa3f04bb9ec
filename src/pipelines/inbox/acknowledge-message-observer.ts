import type { BusEvents } from '../../bus/bus-events.js';
import { ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { ILogger } from '../../logging/logger.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxMessageState } from './inbox-message-state.js';

/** Acknowledges last: until here a crash means redelivery, and redelivery is harmless. */
export class AcknowledgeMessageObserver implements IPipelineObserver<InboxMessageState> {
  readonly event = 'onAcknowledgeMessage';
  private readonly debug: boolean;

  constructor(
    private readonly events: BusEvents,
    private readonly logger: ILogger,
  ) {
    this.debug = logger.isDebugEnabled();
  }

  async execute(state: InboxMessageState): Promise<void> {
    await state.queue.acknowledge(state.received!.token);
    const tm = state.transportMessage!;
    if (state.status === ProcessingStatus.Assigned) this.events.emit('messageHandled', tm);
    else if (state.status === ProcessingStatus.MessageHandled) this.events.emit('messageFlushed', tm);
    else this.events.emit('messageIgnored', tm);
    if (this.debug) this.logger.debug('message acknowledged', { messageId: tm.messageId, status: state.status });
  }
}
