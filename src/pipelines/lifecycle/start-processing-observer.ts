import type { ResolvedInbox } from '../../config/resolved-options.js';
import type { IPipelineObserver, Pipeline } from '../../pipeline/pipeline.js';
import { isSharedReceiverQueue } from '../../transport/queue.js';
import { DeferredProcessor } from '../../processing/deferred-processor.js';
import { type BackOffReason, ReceiveLoop } from '../../processing/receive-loop.js';
import type { DeferredMessageState } from '../deferred/deferred-message-state.js';
import { InboxMessageState } from '../inbox/inbox-message-state.js';
import { ReceivedMessageState } from '../received-message-state.js';
import type { LifecycleState } from './lifecycle-state.js';

/**
 * Starts `threadCount` inbox receive loops — sharing one queue object when the transport allows it
 * (ISharedReceiverQueue), else each with a queue object of its own, so each settles only what it took —
 * the deferred processor when there is a deferred queue, and the outbox loops when there is an outbox.
 */
export class StartProcessingObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onStartProcessing';

  constructor(
    private readonly inbox: Pipeline<InboxMessageState>,
    private readonly deferred: Pipeline<DeferredMessageState>,
    private readonly outbox: Pipeline<ReceivedMessageState>,
  ) {}

  execute(state: LifecycleState): void {
    const { options, queues, logger, events } = state.services;
    const onBackOff = (loop: string, reason: BackOffReason) => events.emit('receiveBackOff', loop, reason);
    const { inbox, outbox } = options;
    if (inbox) this.startInbox(state, inbox, onBackOff);
    if (outbox) {
      for (let i = 0; i < outbox.threadCount; i++) {
        const queue = queues.createReceiver(outbox.workQueueUri);
        state.processors.push(
          new ReceiveLoop(`outbox[${i}]`, this.outbox, () => new ReceivedMessageState(queue), outbox.durationToSleepWhenIdle, logger, onBackOff),
        );
      }
    }
  }

  private startInbox(state: LifecycleState, inbox: ResolvedInbox, onBackOff: (loop: string, reason: BackOffReason) => void): void {
    const { queues, logger, clock } = state.services;
    const first = queues.createReceiver(inbox.workQueueUri);
    for (let i = 0; i < inbox.threadCount; i++) {
      // One consumer for all loops where the transport allows it (one prefetch window, acks coalesced).
      const queue = i === 0 || isSharedReceiverQueue(first) ? first : queues.createReceiver(inbox.workQueueUri);
      const loop = new ReceiveLoop(`inbox[${i}]`, this.inbox, () => new InboxMessageState(queue), inbox.durationToSleepWhenIdle, logger, onBackOff);
      state.processors.push(loop);
    }
    if (inbox.deferredQueueUri) {
      const queue = queues.createReceiver(inbox.deferredQueueUri);
      const maxSleep = inbox.durationToSleepWhenIdle[inbox.durationToSleepWhenIdle.length - 1]!;
      state.processors.push(new DeferredProcessor(this.deferred, queue, inbox.durationToSleepWhenIdle, maxSleep, clock, logger));
    }
  }
}
