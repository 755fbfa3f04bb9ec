import type { BusEvents } from '../../events/bus-events.js';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { OncebusError } from '../../errors/oncebus-error.js';
import { ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { ILogger } from '../../logging/logger.js';
import type { InfrastructureFailures } from '../../recoverability/infrastructure-failures.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import { ACKNOWLEDGEMENT_RECORDED } from '../../transport/queue.js';
import type { InboxDecoded } from './inbox-message-state.js';

/**
 * Acknowledges last: until here a crash means redelivery, and redelivery is harmless. An acknowledgement
 * the transport can no longer deliver (ONCEBUS_STALE_DELIVERY: the channel the message came on closed) is
 * routine, not a failure: the broker redelivers the message by itself, so nothing is released or retried.
 */
export class AcknowledgeMessageObserver implements IPipelineObserver<InboxDecoded, 'onAcknowledgeMessage'> {
  readonly event = 'onAcknowledgeMessage';
  private readonly debug: boolean;

  constructor(
    private readonly infrastructure: InfrastructureFailures,
    private readonly events: BusEvents,
    private readonly logger: ILogger,
  ) {
    this.debug = logger.isDebugEnabled();
  }

  execute(state: InboxDecoded): Promise<void> | undefined {
    const tm = state.transportMessage;
    let acknowledged: Promise<void>;
    try {
      // A success of the infrastructure only once the acknowledgement is durable: on a queue that ends
      // batches together, that is when the batch commits (an outage must not look like others succeeding).
      acknowledged = state.acknowledgeThen(() => this.infrastructure.succeeded(tm.messageId));
    } catch (error) {
      this.lostWithChannel(error, tm);
      this.acknowledged(state);
      return undefined;
    }
    // Only recorded in its batch: done here, without a promise of this step or a microtask.
    if (acknowledged === ACKNOWLEDGEMENT_RECORDED) return this.acknowledged(state);
    return acknowledged.then(
      () => this.acknowledged(state),
      (error: unknown) => {
        this.lostWithChannel(error, tm);
        this.acknowledged(state);
      },
    );
  }

  /** Rethrows a failed acknowledgement, unless its channel is gone (the broker redelivers by itself). */
  private lostWithChannel(error: unknown, tm: TransportMessage): void {
    if (!OncebusError.is(error) || error.code !== 'ONCEBUS_STALE_DELIVERY') throw error;
    this.logger.info('acknowledgement lost with its channel; the broker redelivers the message', { messageId: tm.messageId });
  }

  private acknowledged(state: InboxDecoded): undefined {
    const tm = state.transportMessage;
    if (state.status === ProcessingStatus.Assigned) this.events.emit('messageHandled', tm);
    else if (state.status === ProcessingStatus.MessageHandled) this.events.emit('messageFlushed', tm);
    else this.events.emit('messageIgnored', tm);
    if (this.debug) this.logger.debug('message acknowledged', { messageId: tm.messageId, status: state.status });
    return undefined;
  }
}
