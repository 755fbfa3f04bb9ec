import type { PipelineBuilder } from '../pipeline/pipeline.js';
import type { DeferredMessageState } from '../pipelines/deferred/deferred-message-state.js';
import type { FlushMessageState } from '../pipelines/flush/flush-message-state.js';
import type { InboxMessageState } from '../pipelines/inbox/inbox-message-state.js';
import type { LifecycleState } from '../pipelines/lifecycle/lifecycle-state.js';
import type { OutgoingMessageState } from '../pipelines/outgoing/outgoing-message-state.js';
import type { ReceivedMessageState } from '../pipelines/received-message-state.js';
import type { EndpointServices } from './endpoint-services.js';

/** The pipelines of one endpoint while they are being built: modules add observers here. */
export interface PipelineBuilders {
  readonly inbox: PipelineBuilder<InboxMessageState>;
  readonly transportMessage: PipelineBuilder<OutgoingMessageState>;
  readonly dispatch: PipelineBuilder<OutgoingMessageState>;
  readonly flush: PipelineBuilder<FlushMessageState>;
  readonly deferred: PipelineBuilder<DeferredMessageState>;
  readonly outbox: PipelineBuilder<ReceivedMessageState>;
  readonly startup: PipelineBuilder<LifecycleState>;
  readonly shutdown: PipelineBuilder<LifecycleState>;
}

/**
 * An extension (logging, metrics, tracing, fault injection, a user's own step): called once at start,
 * after the core observers are in place, so its observers run after the core ones of the same event.
 * Bound in the container under TYPES.Module (any number).
 */
export interface IOncebusModule {
  register(pipelines: PipelineBuilders, services: EndpointServices): void;
}
