import type { Span, SpanOptions, Tracer } from '@opentelemetry/api';
import type { TransportMessage } from '../envelope/transport-message.js';
import { ProcessingStatus } from '../idempotence/idempotence-service.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';
import type { InboxMessageState, InboxRead } from '../pipelines/inbox/inbox-message-state.js';
import type { OutgoingMessageState } from '../pipelines/outgoing/outgoing-message-state.js';
import { SAGA_ID_HEADER, SAGA_TYPE_HEADER } from '../sagas/saga-headers.js';
import { sagaOutcomeOf } from '../sagas/saga-outcome.js';
import type { QueueRegistry } from '../transport/queue-registry.js';
import { idempotenceOutcome, systemOf } from './message-attributes.js';
import { otel } from './otel-api.js';

export interface TracingOptions {
  /** Default: the global provider's tracer named 'oncebus' (a no-op until an SDK is registered). */
  readonly tracer?: Tracer;
  /**
   * Also a span per handler run — `handle <type>`, internal, the child of the message's consumer span (when
   * that one records), with what the handler sends as its children. Default false: one span per received
   * message (the consumer span), the handler's time and failure being the consumer span's.
   */
  readonly handlerSpans?: boolean;
}

// Only what a sampler reads goes into startSpan (name, kind, parent): attributes are set once a span records.
const CONSUMER: SpanOptions = { kind: otel.SpanKind.CONSUMER };
const PRODUCER: SpanOptions = { kind: otel.SpanKind.PRODUCER };
const INTERNAL: SpanOptions = { kind: otel.SpanKind.INTERNAL };
// Read once: each read of the API's exports goes through a getter.
const { INVALID_SPAN_CONTEXT, SpanStatusCode } = otel;
const { isSpanContextValid } = otel.trace;

/**
 * OpenTelemetry traces for an endpoint (bind it as a TYPES.Module). A consumer span per received copy —
 * `process <type>`, the child of the producer's context carried in the envelope's `traceparent` header —
 * with the idempotence outcome and any failure; a producer span per send, publish and reply, the child of
 * the active span (the handled message's, in a handler), whose context travels in the outgoing envelope (a
 * stored send keeps it until it is flushed). Retries and error-queue moves are events on the consumer span.
 * Both are around steps: the consumer span is active over the rest of the message's handling (the handler,
 * the commit and flush, and what oncebus does and logs about a failure), so what runs there joins it (a
 * context manager must be registered, as the SDK's setup does). With `handlerSpans`, a span per handler run too.
 *
 * Its cost is kept to what a span needs: a span the sampler drops gets no attributes built, only its context
 * passed on; without an SDK (the API's no-op tracer) a message that brings no trace context costs one no-op
 * span and a comparison, and is handled as if the module were not there.
 */
export class TracingModule implements IOncebusModule {
  private readonly tracer: Tracer;
  private readonly handlerSpans: boolean;

  constructor(options: TracingOptions = {}) {
    this.tracer = options.tracer ?? otel.trace.getTracer('oncebus');
    this.handlerSpans = options.handlerSpans ?? false;
  }

  register(pipelines: PipelineBuilders, services: EndpointServices): void {
    const { trace, propagation, context, ROOT_CONTEXT } = otel;
    const tracer = this.tracer;
    const address = services.address;
    const system = systemOf(address);
    const idempotence = services.idempotence.enabled;
    const destinations = new Destinations(services.queues);
    pipelines.inbox.addAroundStep({
      around: 'onAfterDeserializeTransportMessage',
      name: 'tracing: consumer span',
      run: (state, next) => {
        const tm = state.transportMessage;
        const parent = propagation.extract(ROOT_CONTEXT, tm.headers);
        const span = tracer.startSpan(`process ${tm.messageType}`, CONSUMER, parent);
        const recording = span.isRecording();
        // Without an SDK and without an incoming trace context the span records nothing and carries nothing
        // to propagate: decline, and the message runs as if the module were not there (the API-only path's cost).
        if (!recording && !carriesContext(span)) return undefined;
        if (recording) setProcessAttributes(span, tm, address, system);
        return context.with(trace.setSpan(context.active(), span), () => consume(state, span, next, recording, idempotence));
      },
    });
    if (this.handlerSpans) {
      pipelines.inbox.addAroundStep({
        around: 'onHandleMessage',
        through: 'onHandleMessage',
        name: 'tracing: handler span',
        run: (state, next) => {
          // The handler runs only for a new copy (a duplicate's or a flushed-only copy's is skipped).
          if (state.status !== ProcessingStatus.Assigned) return undefined;
          // Only inside a consumer span that records: under a dropped (or no-op) one, nothing would be recorded.
          const parent = context.active();
          if (!trace.getSpan(parent)?.isRecording()) return undefined;
          const span = tracer.startSpan(`handle ${state.transportMessage.messageType}`, INTERNAL, parent);
          // One the sampler drops would only stand between the consumer span and the sends: leave it out.
          if (!span.isRecording()) return undefined;
          span.setAttribute('oncebus.message.type', state.transportMessage.messageType);
          return context.with(trace.setSpan(parent, span), () => handle(span, next));
        },
      });
    }
    pipelines.outgoing.addAroundStep({
      around: 'onAfterAssembleMessage',
      name: 'tracing: producer span',
      run: (state, next) => {
        const tm = state.transportMessage;
        const parent = context.active();
        const span = tracer.startSpan(`${state.kind} ${tm.messageType}`, PRODUCER, parent);
        const recording = span.isRecording();
        // The envelope carries the producer's context to whoever handles it (also from the stored copy); a
        // no-op span without a parent has none to carry (what else the context holds, baggage, still goes).
        propagation.inject(recording || carriesContext(span) ? trace.setSpan(parent, span) : parent, tm.headers);
        if (!recording) return undefined; // a span that records nothing has nothing to end: decline the wrapping
        setSendAttributes(span, tm, state.kind);
        return produce(state, span, next, destinations);
      },
    });
  }
}

/** Whether a span that records nothing still has a trace context to pass on (a parent's, or an unsampled one's). */
function carriesContext(span: Span): boolean {
  const spanContext = span.spanContext();
  // The API's no-op span without a parent carries this very object: checked first, as the cheapest test.
  return spanContext !== INVALID_SPAN_CONTEXT && isSpanContextValid(spanContext);
}

/** The messaging attributes of a consumer span (one call each: no attribute object is built per message). */
function setProcessAttributes(span: Span, tm: TransportMessage, address: string, system: string): void {
  span.setAttribute('messaging.system', system);
  span.setAttribute('messaging.destination.name', address);
  span.setAttribute('messaging.operation.type', 'process');
  span.setAttribute('messaging.operation.name', 'process');
  span.setAttribute('messaging.message.id', tm.messageId);
  span.setAttribute('oncebus.message.type', tm.messageType);
  if (tm.correlationId) span.setAttribute('messaging.message.conversation_id', tm.correlationId);
}

/** A producer span's attributes known before it is routed; its destination is set once it is. */
function setSendAttributes(span: Span, tm: TransportMessage, kind: string): void {
  span.setAttribute('messaging.operation.type', 'send');
  span.setAttribute('messaging.operation.name', kind);
  span.setAttribute('messaging.message.id', tm.messageId);
  span.setAttribute('oncebus.message.type', tm.messageType);
  if (tm.correlationId) span.setAttribute('messaging.message.conversation_id', tm.correlationId);
  // The saga instance that sends it, from the headers a saga puts on everything it sends.
  const sagaType = tm.headers[SAGA_TYPE_HEADER];
  const instanceId = tm.headers[SAGA_ID_HEADER];
  if (sagaType && instanceId) {
    span.setAttribute('oncebus.saga.type', sagaType.slice(0, 200));
    span.setAttribute('oncebus.saga.id', instanceId.slice(0, 200));
  }
}

/** Runs the rest of the message's handling in its consumer span, then notes its outcome there if it records. */
async function consume(state: InboxRead, span: Span, next: () => Promise<void>, recording: boolean, idempotence: boolean): Promise<void> {
  try {
    await next();
  } finally {
    if (recording) {
      // Known only now: whether this copy waited behind a concurrent copy's flush.
      if (idempotence && state.idempotenceChecked) span.setAttribute('oncebus.idempotence.outcome', idempotenceOutcome(state.status, state.waitedForCopy));
      // The saga instance that handled it (known once the saga runtime loaded it, even when the handler failed).
      const saga = sagaOutcomeOf(state.transportMessage);
      if (saga) {
        span.setAttribute('oncebus.saga.type', saga.sagaType);
        span.setAttribute('oncebus.saga.id', saga.instanceId);
      }
      recordFailure(span, state);
    }
    span.end();
  }
}

/** Runs the handler in its own span; its failure is recorded there (and, as before, on the consumer span). */
async function handle(span: Span, next: () => Promise<void>): Promise<void> {
  try {
    await next();
  } catch (error) {
    recordException(span, error);
    throw error;
  } finally {
    span.end();
  }
}

async function produce(state: OutgoingMessageState, span: Span, next: () => Promise<void>, destinations: Destinations): Promise<void> {
  try {
    await next();
  } finally {
    const recipients = state.recipients;
    if (recipients.length === 1) {
      const destination = destinations.of(recipients[0]!);
      span.setAttribute('messaging.destination.name', destination.address);
      span.setAttribute('messaging.system', destination.system);
    } else {
      span.setAttribute('messaging.destination.name', state.transportMessage.messageType);
      span.setAttribute('messaging.system', 'oncebus');
      if (recipients.length > 1) span.setAttribute('oncebus.recipients', recipients.map((uri) => destinations.of(uri).address));
    }
    span.setAttribute('oncebus.send.stored', state.unitOfWork !== null);
    recordException(span, state.exception);
    span.end();
  }
}

/**
 * A recipient URI as a span names it: by its queue's address (a route's URI may carry credentials, a span
 * never does) and that address's messaging system. Remembered per URI — a send's recipients are mostly the
 * same few routes — up to a bound, as a reply's destination comes from the message it answers.
 */
class Destinations {
  private static readonly LIMIT = 256;
  private readonly known = new Map<string, { readonly address: string; readonly system: string }>();

  constructor(private readonly queues: QueueRegistry) {}

  of(uri: string): { readonly address: string; readonly system: string } {
    let destination = this.known.get(uri);
    if (destination === undefined) {
      const address = addressOf(this.queues, uri);
      destination = { address, system: systemOf(address) };
      if (this.known.size >= Destinations.LIMIT) this.known.clear();
      this.known.set(uri, destination);
    }
    return destination;
  }
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
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(exception) });
}
