import type { BusEvents } from '../../bus/bus-events.js';
import { isExpired } from '../../envelope/transport-message.js';
import type { ILogger } from '../../logging/logger.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxMessageState } from './inbox-message-state.js';

/** Drops a message whose expiryDate has passed: acknowledged, logged, never handled. */
export class CheckExpiredObserver implements IPipelineObserver<InboxMessageState> {
  readonly event = 'onCheckExpired';

  constructor(
    private readonly clock: () => number,
    private readonly logger: ILogger,
    private readonly events: BusEvents,
  ) {}

  async execute(state: InboxMessageState): Promise<void> {
    const tm = state.transportMessage!;
    if (!isExpired(tm, this.clock())) return;
    await state.acknowledge();
    this.logger.info('message expired, dropped', {
      messageId: tm.messageId,
      messageType: tm.messageType,
      expiryDate: new Date(tm.expiryDate).toISOString(),
    });
    this.events.emit('messageExpired', tm);
    state.aborted = true;
  }
}
