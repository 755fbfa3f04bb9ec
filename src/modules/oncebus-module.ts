import type { PipelineBuilder } from '../pipeline/pipeline.js';
import type { DeferredEvent, DeferredStates } from '../pipelines/deferred/deferred-pipeline.js';
import type { FlushEvent, FlushStates } from '../pipelines/flush/flush-pipeline.js';
import type { InboxEvent, InboxStates } from '../pipelines/inbox/inbox-pipeline.js';
import type { OutboxEvent, OutboxStates } from '../pipelines/outbox/outbox-pipeline.js';
import type { OutgoingEvent, OutgoingStates } from '../pipelines/outgoing/outgoing-pipeline.js';
import type { EndpointServices } from './endpoint-services.js';

/**
 * The pipelines of one endpoint while they are being built: modules add observers and around steps here.
 * - inbox: each received message, from its taking to its acknowledgement;
 * - outgoing: each send, publish and reply: the envelope built, routed, dispatched or stored;
 * - flush: each stored send dispatched after its unit of work committed;
 * - deferred: each message taken from the deferred queue; outbox: each message forwarded from the outbox.
 */
export interface PipelineBuilders {
  readonly inbox: PipelineBuilder<InboxStates>;
  readonly outgoing: PipelineBuilder<OutgoingStates>;
  readonly flush: PipelineBuilder<FlushStates>;
  readonly deferred: PipelineBuilder<DeferredStates>;
  readonly outbox: PipelineBuilder<OutboxStates>;
}

/** A pipeline's name, as fault points and diagnostics give it. */
export type PipelineName = keyof PipelineBuilders;

/** Each pipeline's events (its stage lists, in order: INBOX_STAGES, OUTGOING_STAGES, …). */
export interface PipelineEvents {
  readonly inbox: InboxEvent;
  readonly outgoing: OutgoingEvent;
  readonly flush: FlushEvent;
  readonly deferred: DeferredEvent;
  readonly outbox: OutboxEvent;
}

/**
 * An extension (logging, metrics, tracing, fault injection, a user's own step): called once at start,
 * after the core observers are in place, so its observers run after the core ones of the same event and
 * its around steps wrap them. Bound in the container under TYPES.Module (any number).
 */
export interface IOncebusModule {
  register(pipelines: PipelineBuilders, services: EndpointServices): void;
}
