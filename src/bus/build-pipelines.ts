import type { Pipeline } from '../pipeline/pipeline.js';
import type { DeferredMessageState } from '../pipelines/deferred/deferred-message-state.js';
import { createDeferredPipelineBuilder } from '../pipelines/deferred/deferred-pipeline.js';
import { ProcessDeferredMessageObserver } from '../pipelines/deferred/process-deferred-message-observer.js';
import { DispatchDeferredMessageObserver } from '../pipelines/flush/dispatch-deferred-message-observer.js';
import type { FlushMessageState } from '../pipelines/flush/flush-message-state.js';
import { createFlushPipelineBuilder } from '../pipelines/flush/flush-pipeline.js';
import { MarkDeferredMessageSentObserver } from '../pipelines/flush/mark-deferred-message-sent-observer.js';
import { AcknowledgeMessageObserver } from '../pipelines/inbox/acknowledge-message-observer.js';
import { CheckExpiredObserver } from '../pipelines/inbox/check-expired-observer.js';
import { CheckIdempotenceObserver } from '../pipelines/inbox/check-idempotence-observer.js';
import { CommitUnitOfWorkObserver } from '../pipelines/inbox/commit-unit-of-work-observer.js';
import { DecompressMessageObserver } from '../pipelines/inbox/decompress-message-observer.js';
import { DecryptMessageObserver } from '../pipelines/inbox/decrypt-message-observer.js';
import { DeferMessageObserver } from '../pipelines/inbox/defer-message-observer.js';
import { DeserializeMessageObserver } from '../pipelines/inbox/deserialize-message-observer.js';
import { HandleFailureObserver } from '../pipelines/inbox/handle-failure-observer.js';
import { HandleMessageObserver } from '../pipelines/inbox/handle-message-observer.js';
import type { InboxMessageState } from '../pipelines/inbox/inbox-message-state.js';
import { createInboxPipelineBuilder } from '../pipelines/inbox/inbox-pipeline.js';
import { ProcessingCompletedObserver } from '../pipelines/inbox/processing-completed-observer.js';
import { ReleaseFlushLeaseObserver } from '../pipelines/inbox/release-flush-lease-observer.js';
import { RollBackOpenUnitOfWorkObserver } from '../pipelines/inbox/roll-back-open-unit-of-work-observer.js';
import { SendDeferredObserver } from '../pipelines/inbox/send-deferred-observer.js';
import { createOutboxPipelineBuilder } from '../pipelines/outbox/outbox-pipeline.js';
import { SendOutboxMessageObserver } from '../pipelines/outbox/send-outbox-message-observer.js';
import { AssembleMessageObserver } from '../pipelines/outgoing/assemble-message-observer.js';
import { CompressMessageObserver } from '../pipelines/outgoing/compress-message-observer.js';
import { DispatchMessageObserver } from '../pipelines/outgoing/dispatch-message-observer.js';
import { EncryptMessageObserver } from '../pipelines/outgoing/encrypt-message-observer.js';
import { MessageSender } from '../pipelines/outgoing/message-sender.js';
import { createOutgoingPipelineBuilder } from '../pipelines/outgoing/outgoing-pipeline.js';
import { RouteMessageObserver } from '../pipelines/outgoing/route-message-observer.js';
import { SerializeMessageObserver } from '../pipelines/outgoing/serialize-message-observer.js';
import { AcknowledgeReceivedObserver } from '../pipelines/shared/acknowledge-received-observer.js';
import { DeserializeTransportMessageObserver } from '../pipelines/shared/deserialize-transport-message-observer.js';
import { GetWorkMessageObserver } from '../pipelines/shared/get-work-message-observer.js';
import { MoveUnreadableObserver } from '../pipelines/shared/move-unreadable-observer.js';
import { ReleaseUnsettledObserver } from '../pipelines/shared/release-unsettled-observer.js';
import type { ReceivedMessageState } from '../pipelines/received-message-state.js';
import { HandlerWatchdog } from '../processing/handler-watchdog.js';
import { FailedMessageMover } from '../recoverability/failed-message-mover.js';
import { InfrastructureFailures } from '../recoverability/infrastructure-failures.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';

export interface EndpointPipelines {
  readonly sender: MessageSender;
  readonly inbox: Pipeline<InboxMessageState>;
  readonly flush: Pipeline<FlushMessageState>;
  readonly deferred: Pipeline<DeferredMessageState>;
  readonly outbox: Pipeline<ReceivedMessageState>;
  /** Bounds every handler's time; stop() gives up the ones still running through it. */
  readonly watchdog: HandlerWatchdog;
}

/**
 * Wires the core observers into every pipeline, lets the modules add theirs, and builds each pipeline
 * once. This is the only place that knows which observer goes where; each observer knows only its job.
 */
export function buildPipelines(s: EndpointServices, modules: readonly IOncebusModule[]): EndpointPipelines {
  const { options, queues, idempotence, codecs, clock, logger, events } = s;
  const { inbox, outbox } = options;
  const outboxUri = outbox?.workQueueUri;
  const b: PipelineBuilders = {
    inbox: createInboxPipelineBuilder(),
    outgoing: createOutgoingPipelineBuilder(),
    flush: createFlushPipelineBuilder(),
    deferred: createDeferredPipelineBuilder(),
    outbox: createOutboxPipelineBuilder(),
  };

  b.outgoing
    .addObserver(new AssembleMessageObserver(s.types, s.address, clock))
    .addObserver(new SerializeMessageObserver(s.serializer))
    .addObserver(new CompressMessageObserver(codecs, options.compression))
    .addObserver(new EncryptMessageObserver(codecs, options.encryption))
    .addObserver(new RouteMessageObserver(s.routes, s.subscriptions, inbox?.workQueueUri, queues))
    .addObserver(new DispatchMessageObserver(queues, idempotence, outboxUri, events));
  b.flush
    .addObserver(new DispatchDeferredMessageObserver(queues, outboxUri, events))
    .addObserver(new MarkDeferredMessageSentObserver(idempotence));

  const mover = new FailedMessageMover(queues, options.name, clock);
  const watchdog = new HandlerWatchdog(options.handlerTimeoutMs, clock);
  const infrastructure = new InfrastructureFailures();
  const get = new GetWorkMessageObserver();
  const readEnvelope = new DeserializeTransportMessageObserver({ maxMessageSize: options.maxMessageSize });
  const releaseUnsettled = new ReleaseUnsettledObserver(logger, events);
  if (outbox) {
    b.outbox
      .addObserver(get)
      .addObserver(readEnvelope)
      .addObserver(new SendOutboxMessageObserver(queues, events))
      .addObserver(new AcknowledgeReceivedObserver())
      .addObserver(new MoveUnreadableObserver(mover, outbox.errorQueueUri, logger))
      .addObserver(releaseUnsettled);
  }

  // Observers that run other pipelines get them through `built`, which is filled once every pipeline
  // is built (after the modules have added their observers), before any message flows.
  const built = {} as { -readonly [K in keyof EndpointPipelines]: EndpointPipelines[K] };

  // A send-only endpoint receives nothing: its inbox and deferred pipelines stay empty and never run.
  if (inbox) {
    b.deferred
      .addObserver(get)
      .addObserver(readEnvelope)
      .addObserver(new ProcessDeferredMessageObserver(queues, inbox.workQueueUri, inbox.deferredQueueUri ?? inbox.workQueueUri, clock))
      .addObserver(new MoveUnreadableObserver(mover, inbox.errorQueueUri, logger))
      .addObserver(releaseUnsettled);
    b.inbox
    .addObserver(get)
    .addObserver(readEnvelope)
    .addObserver(new CheckExpiredObserver(clock, idempotence, logger, events))
    .addObserver(new DeferMessageObserver(queues, inbox.workQueueUri, inbox.deferredQueueUri, clock, events))
    .addObserver(new DecryptMessageObserver(codecs))
    .addObserver(new DecompressMessageObserver(codecs, options.maxMessageSize))
    .addObserver(new DeserializeMessageObserver(s.types, s.serializer))
    .addObserver(new CheckIdempotenceObserver(idempotence, clock))
    .addObserver(new HandleMessageObserver(s.handlers, s.resolveHandler, built, watchdog))
    .addObserver(new CommitUnitOfWorkObserver(idempotence))
    .addObserver(new SendDeferredObserver(idempotence, built))
    .addObserver(new ProcessingCompletedObserver(idempotence))
    .addObserver(new AcknowledgeMessageObserver(infrastructure, events, logger))
    .addObserver(new ReleaseFlushLeaseObserver(idempotence, logger))
    .addObserver(new HandleFailureObserver({ name: options.name, inbox }, mover, infrastructure, logger, events, s.stopSignal))
    .addObserver(new RollBackOpenUnitOfWorkObserver(logger))
    .addObserver(releaseUnsettled);
  }

  for (const m of modules) m.register(b, s);

  built.sender = new MessageSender(b.outgoing.build());
  built.flush = b.flush.build();
  built.inbox = b.inbox.build();
  built.deferred = b.deferred.build();
  built.outbox = b.outbox.build();
  built.watchdog = watchdog;
  return built;
}
