import type { Span, Tracer } from '@opentelemetry/api';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';
import type { TransportMessage } from '../envelope/transport-message.js';
import { PIPELINE_END_EVENT, type PipelineState } from '../pipeline/pipeline.js';
import type { InboxMessageState } from '../pipelines/inbox/inbox-message-state.js';
import type { OutgoingMessageState } from '../pipelines/outgoing/outgoing-message-state.js';
import { idempotenceOutcome, messageAttributes, systemOf } from './message-attributes.js';
import { otel } from './otel-api.js';

export interface TracingOptions {
  /** Default: the global provider's tracer named 'oncebus' (a no-op until an SDK is registered). */
  readonly tracer?: Tracer;
}

/**
 * OpenTelemetry traces for an endpoint (bind it as a TYPES.Module). A consumer span per received copy —
 * `process <type>`, the child of the producer's context carried in the envelope's `traceparent` header —
 * with the idempotence outcome and any failure; a producer span per send, publish and reply, the child of
 * the handled message's span, whose context travels in the outgoing envelope (a stored send keeps it
 * until it is flushed). Retries and error-queue moves are events on the consumer span. The handler runs with
 * its message's span active (a context manager must be registered, as the SDK's setup does).
 */
export class TracingModule implements IOncebusModule {
  private readonly tracer: Tracer;
  /** The consumer span of each message being handled, by its envelope (what a handler's sends refer to). */
  private readonly consumers = new WeakMap<TransportMessage, Span>();
  private readonly inFlight = new Map<string, Span>();
  private readonly producers = new WeakMap<OutgoingMessageState, Span>();

  constructor(options: TracingOptions = {}) {
    this.tracer = options.tracer ?? otel.trace.getTracer('oncebus');
  }

  register(pipelines: PipelineBuilders, services: EndpointServices): void {
    const { trace, propagation, context, SpanKind, SpanStatusCode, ROOT_CONTEXT } = otel;
    const inboxSpans = new WeakMap<PipelineState, Span>();

    pipelines.inbox.addObserver({
      event: 'onAfterDeserializeTransportMessage',
      execute: (state: InboxMessageState) => {
        const tm = state.transportMessage!;
        const parent = propagation.extract(ROOT_CONTEXT, tm.headers);
        const span = this.tracer.startSpan(`process ${tm.messageType}`, { kind: SpanKind.CONSUMER }, parent);
        // Without an SDK and without an incoming trace context the span records nothing and carries nothing
        // to propagate: keep no books on it (maps, the handler's scope, its end) - the API-only path's cost.
        if (!span.isRecording() && !trace.isSpanContextValid(span.spanContext())) return;
        if (span.isRecording()) span.setAttributes({ ...messageAttributes(tm, services.address, 'process'), 'messaging.operation.name': 'process' });
        inboxSpans.set(state, span);
        this.consumers.set(tm, span);
        this.inFlight.set(tm.messageId, span);
      },
    });
    pipelines.inbox.addObserver({
      event: 'onCheckIdempotence',
      execute: (state: InboxMessageState) => {
        if (services.idempotence.enabled) inboxSpans.get(state)?.setAttribute('oncebus.idempotence.outcome', idempotenceOutcome(state.status));
      },
    });
    pipelines.inbox.addObserver({
      event: PIPELINE_END_EVENT,
      execute: (state: InboxMessageState) => {
        const span = inboxSpans.get(state);
        if (!span) return;
        // Known only now: whether this copy waited behind a concurrent copy's flush.
        if (state.waitedForCopy) span.setAttribute('oncebus.idempotence.outcome', idempotenceOutcome(state.status, true));
        if (state.exception !== undefined && span.isRecording()) {
          span.recordException(state.exception instanceof Error ? state.exception : String(state.exception));
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(state.exception) });
        }
        span.end();
        const tm = state.transportMessage;
        if (tm && this.inFlight.get(tm.messageId) === span) this.inFlight.delete(tm.messageId);
      },
    });
    // The handler runs with its message's span active: what it logs (withTraceContext) or starts joins it.
    services.handlerScopes.push((state, run) => {
      const span = inboxSpans.get(state);
      return span ? context.with(trace.setSpan(context.active(), span), run) : run();
    });
    services.events.on('messageRetried', (tm) => this.inFlight.get(tm.messageId)?.addEvent('oncebus.retry_scheduled', { 'oncebus.attempt': tm.failureMessages.length }));
    services.events.on('messageSentToErrorQueue', (tm, reason) => this.inFlight.get(tm.messageId)?.addEvent('oncebus.moved_to_error_queue', { 'oncebus.reason': reason }));

    pipelines.transportMessage.addObserver({
      event: 'onAfterAssembleMessage',
      execute: (state: OutgoingMessageState) => {
        const tm = state.transportMessage;
        const handled = state.received ? this.consumers.get(state.received) : undefined;
        const parent = handled ? trace.setSpan(context.active(), handled) : context.active();
        const span = this.tracer.startSpan(`${state.kind} ${tm.messageType}`, { kind: SpanKind.PRODUCER }, parent);
        if (span.isRecording()) span.setAttributes({ ...messageAttributes(tm, '', 'send'), 'messaging.operation.name': state.kind });
        // The envelope carries the producer's context to whoever handles it (also from the stored copy).
        propagation.inject(trace.setSpan(parent, span), tm.headers);
        this.producers.set(state, span);
      },
    });
    const endProducer = (state: OutgoingMessageState) => {
      const span = this.producers.get(state);
      if (!span) return;
      this.producers.delete(state);
      if (!span.isRecording()) return;
      const recipients = state.recipients;
      span.setAttribute('messaging.destination.name', recipients.length === 1 ? recipients[0]! : state.transportMessage.messageType);
      span.setAttribute('messaging.system', recipients.length === 1 ? systemOf(recipients[0]!) : 'oncebus');
      if (recipients.length > 1) span.setAttribute('oncebus.recipients', [...recipients]);
      span.setAttribute('oncebus.send.stored', state.unitOfWork !== null);
      if (state.exception !== undefined) {
        span.recordException(state.exception instanceof Error ? state.exception : String(state.exception));
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(state.exception) });
      }
      span.end();
    };
    // A failure before dispatch ends the span in the first pipeline; otherwise the dispatch pipeline does.
    pipelines.transportMessage.addObserver({
      event: PIPELINE_END_EVENT,
      execute: (state: OutgoingMessageState) => {
        if (state.exception !== undefined) endProducer(state);
      },
    });
    pipelines.dispatch.addObserver({ event: PIPELINE_END_EVENT, execute: endProducer });
  }
}
