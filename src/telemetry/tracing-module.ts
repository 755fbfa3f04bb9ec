import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';
import type { InboxMessageState, InboxRead } from '../pipelines/inbox/inbox-message-state.js';
import type { OutgoingMessageState } from '../pipelines/outgoing/outgoing-message-state.js';
import { SAGA_ID_HEADER, SAGA_TYPE_HEADER } from '../sagas/saga-headers.js';
import { sagaOutcomeOf } from '../sagas/saga-outcome.js';
import type { QueueRegistry } from '../transport/queue-registry.js';
import { idempotenceOutcome, messageAttributes, sagaAttributes, systemOf } from './message-attributes.js';
import { otel } from './otel-api.js';

export interface TracingOptions {
  /** Default: the global provider's tracer named 'oncebus' (a no-op until an SDK is registered). */
  readonly tracer?: Tracer;
}

/**
 * OpenTelemetry traces for an endpoint (bind it as a TYPES.Module). A consumer span per received copy —
 * `process <type>`, the child of the producer's context carried in the envelope's `traceparent` header —
 * with the idempotence outcome and any failure; a producer span per send, publish and reply, the child of
 * the active span (the handled message's, in a handler), whose context travels in the outgoing envelope (a
 * stored send keeps it until it is flushed). Retries and error-queue moves are events on the consumer span.
 * Both are around steps: the consumer span is active over the rest of the message's handling (the handler,
 * the commit and flush, and what oncebus does and logs about a failure), so what runs there joins it (a
 * context manager must be registered, as the SDK's setup does).
 */
export class TracingModule implements IOncebusModule {
  private readonly tracer: Tracer;

  constructor(options: TracingOptions = {}) {
    this.tracer = options.tracer ?? otel.trace.getTracer('oncebus');
  }

  register(pipelines: PipelineBuilders, services: EndpointServices): void {
    const { trace, propagation, context, SpanKind, ROOT_CONTEXT } = otel;
    pipelines.inbox.addAroundStep({
      around: 'onAfterDeserializeTransportMessage',
      name: 'tracing: consumer span',
      run: (state, next) => {
        const tm = state.transportMessage;
        const parent = propagation.extract(ROOT_CONTEXT, tm.headers);
        const span = this.tracer.startSpan(`process ${tm.messageType}`, { kind: SpanKind.CONSUMER }, parent);
        // Without an SDK and without an incoming trace context the span records nothing and carries nothing
        // to propagate: decline, and the message runs as if the module were not there (the API-only path's cost).
        if (!span.isRecording() && !trace.isSpanContextValid(span.spanContext())) return undefined;
        if (span.isRecording()) span.setAttributes({ ...messageAttributes(tm, services.address, 'process'), 'messaging.operation.name': 'process' });
        return context.with(trace.setSpan(context.active(), span), () => this.consume(state, span, next, services.idempotence.enabled));
      },
    });
    pipelines.outgoing.addAroundStep({
      around: 'onAfterAssembleMessage',
      name: 'tracing: producer span',
      run: (state, next) => {
        const tm = state.transportMessage;
        const parent = context.active();
        const span = this.tracer.startSpan(`${state.kind} ${tm.messageType}`, { kind: SpanKind.PRODUCER }, parent);
        if (span.isRecording()) span.setAttributes({ ...messageAttributes(tm, '', 'send'), ...sentBySaga(tm.headers), 'messaging.operation.name': state.kind });
        // The envelope carries the producer's context to whoever handles it (also from the stored copy).
        propagation.inject(trace.setSpan(parent, span), tm.headers);
        // A span that records nothing has nothing to end: decline the wrapping (its context is propagated).
        return span.isRecording() ? this.produce(state, span, next, services.queues) : undefined;
      },
    });
  }

  private async consume(state: InboxRead, span: Span, next: () => Promise<void>, idempotence: boolean): Promise<void> {
    try {
      await next();
    } finally {
      // Known only now: whether this copy waited behind a concurrent copy's flush.
      if (idempotence && state.idempotenceChecked) span.setAttribute('oncebus.idempotence.outcome', idempotenceOutcome(state.status, state.waitedForCopy));
      // The saga instance that handled it (known once the saga runtime loaded it, even when the handler failed).
      const saga = sagaOutcomeOf(state.transportMessage);
      if (saga) span.setAttributes(sagaAttributes(saga));
      recordFailure(span, state);
      span.end();
    }
  }

  private async produce(state: OutgoingMessageState, span: Span, next: () => Promise<void>, queues: QueueRegistry): Promise<void> {
    try {
      await next();
    } finally {
      // Queues by their address: a route's URI may carry credentials, a span never does.
      const recipients = state.recipients.map((uri) => addressOf(queues, uri));
      span.setAttribute('messaging.destination.name', recipients.length === 1 ? recipients[0]! : state.transportMessage.messageType);
      span.setAttribute('messaging.system', recipients.length === 1 ? systemOf(recipients[0]!) : 'oncebus');
      if (recipients.length > 1) span.setAttribute('oncebus.recipients', [...recipients]);
      span.setAttribute('oncebus.send.stored', state.unitOfWork !== null);
      recordException(span, state.exception);
      span.end();
    }
  }
}

/** The saga instance that sends a message, from the headers a saga puts on everything it sends. */
function sentBySaga(headers: Readonly<Record<string, string>>): Attributes {
  const sagaType = headers[SAGA_TYPE_HEADER];
  const instanceId = headers[SAGA_ID_HEADER];
  return sagaType && instanceId ? sagaAttributes({ sagaType: sagaType.slice(0, 200), instanceId: instanceId.slice(0, 200) }) : {};
}

/** The address of a queue URI (no credentials); a URI no factory serves is shown by its scheme alone. */
function addressOf(queues: QueueRegistry, uri: string): string {
  try {
    return queues.address(uri);
  } catch {
    return `${systemOf(uri)}://`;
  }
}

/** A failed message's fate as span events (a retry copy, the error queue), and its exception. */
function recordFailure(span: Span, state: InboxMessageState): void {
  const failure = state.failureAction;
  if (failure?.action === 'retried') span.addEvent('oncebus.retry_scheduled', { 'oncebus.attempt': failure.attempt });
  else if (failure?.action === 'error-queue') span.addEvent('oncebus.moved_to_error_queue', { 'oncebus.reason': failure.reason });
  recordException(span, state.exception);
}

function recordException(span: Span, exception: unknown): void {
  if (exception === undefined || !span.isRecording()) return;
  span.recordException(exception instanceof Error ? exception : String(exception));
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: String(exception) });
}
