import type { ResolvedInbox } from '../config/resolved-options.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import { DeferredProcessor } from '../pipelines/deferred/deferred-processor.js';
import { InboxMessageState } from '../pipelines/inbox/inbox-message-state.js';
import { ReceivedMessageState } from '../pipelines/received-message-state.js';
import type { Processor } from '../processing/processor.js';
import { type BackOffReason, ReceiveLoop } from '../processing/receive-loop.js';
import { isSharedReceiverQueue } from '../transport/queue.js';
import type { EndpointPipelines } from './build-pipelines.js';

/**
 * Starts `threadCount` inbox receive loops — sharing one queue object when the transport allows it
 * (ISharedReceiverQueue), else each with a queue object of its own, so each settles only what it took —
 * the deferred processor when there is a deferred queue, and the outbox loops when there is an outbox.
 */
export function startProcessors(s: EndpointServices, pipelines: EndpointPipelines): Processor[] {
  const { options, queues, logger, events } = s;
  const onBackOff = (loop: string, reason: BackOffReason) => events.emit('receiveBackOff', loop, reason);
  const processors: Processor[] = [];
  if (options.inbox) processors.push(...startInbox(s, pipelines, options.inbox, onBackOff));
  const { outbox } = options;
  if (outbox) {
    for (let i = 0; i < outbox.threadCount; i++) {
      const queue = queues.createReceiver(outbox.workQueueUri);
      processors.push(new ReceiveLoop(`outbox[${i}]`, pipelines.outbox, () => new ReceivedMessageState(queue), outbox.durationToSleepWhenIdle, logger, onBackOff));
    }
  }
  return processors;
}

function startInbox(s: EndpointServices, pipelines: EndpointPipelines, inbox: ResolvedInbox, onBackOff: (loop: string, reason: BackOffReason) => void): Processor[] {
  const { queues, logger, clock } = s;
  const processors: Processor[] = [];
  const first = queues.createReceiver(inbox.workQueueUri);
  for (let i = 0; i < inbox.threadCount; i++) {
    // One consumer for all loops where the transport allows it (one prefetch window, acks coalesced).
    const queue = i === 0 || isSharedReceiverQueue(first) ? first : queues.createReceiver(inbox.workQueueUri);
    processors.push(new ReceiveLoop(`inbox[${i}]`, pipelines.inbox, () => new InboxMessageState(queue), inbox.durationToSleepWhenIdle, logger, onBackOff));
  }
  if (inbox.deferredQueueUri) {
    const queue = queues.createReceiver(inbox.deferredQueueUri);
    const maxSleep = inbox.durationToSleepWhenIdle[inbox.durationToSleepWhenIdle.length - 1]!;
    processors.push(new DeferredProcessor(pipelines.deferred, queue, inbox.durationToSleepWhenIdle, maxSleep, clock, logger));
  }
  return processors;
}
