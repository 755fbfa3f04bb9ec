import type { BusEvents } from '../../events/bus-events.js';
import { isExpired } from '../../envelope/transport-message.js';
import type { IIdempotenceService } from '../../idempotence/idempotence-service.js';
import type { ILogger } from '../../logging/logger.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxRead } from './inbox-message-state.js';

/**
 * Drops a message whose expiryDate has passed: acknowledged, logged, never handled — unless its unit of
 * work already committed (a copy that crashed between commit and flush): then the sends it owes still go
 * out, so it carries on to the idempotence check, which skips the handler and flushes.
 */
export class CheckExpiredObserver implements IPipelineObserver<InboxRead, 'onCheckExpired'> {
  readonly event = 'onCheckExpired';

  constructor(
    private readonly clock: () => number,
    private readonly idempotence: IIdempotenceService,
    private readonly logger: ILogger,
    private readonly events: BusEvents,
  ) {}

  // Not async: the common case (not expired) costs no promise and no microtask.
  execute(state: InboxRead): Promise<void> | undefined {
    if (!isExpired(state.transportMessage, this.clock())) return;
    return this.expired(state);
  }

  private async expired(state: InboxRead): Promise<void> {
    const tm = state.transportMessage;
    if (this.idempotence.enabled && (await this.idempotence.isHandled(tm))) {
      this.logger.info('message expired after its work committed; flushing what it owes', { messageId: tm.messageId });
      return;
    }
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
