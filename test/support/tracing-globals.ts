import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** What a traced test needs of OpenTelemetry's globals: a context manager that follows async work, and W3C propagation. */
export function installTracingGlobals(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** Undoes installTracingGlobals, and a global tracer provider if one was set, so the next suite starts clean. */
export function removeTracingGlobals(): void {
  context.disable();
  propagation.disable();
  trace.disable();
}
