import type { ILogger } from '../logging/logger.js';
import { otel } from './otel-api.js';

/**
 * A logger that adds `trace_id` and `span_id` to every line written while a span is active — in a handler,
 * the span of the message it handles (TracingModule makes it active) — so logs and traces join up.
 */
export function withTraceContext(logger: ILogger): ILogger {
  const withIds = (meta?: Record<string, unknown>): Record<string, unknown> | undefined => {
    const span = otel.trace.getActiveSpan();
    if (!span) return meta;
    const { traceId, spanId } = span.spanContext();
    return { ...meta, trace_id: traceId, span_id: spanId };
  };
  return {
    debug: (message, meta) => logger.debug(message, withIds(meta)),
    info: (message, meta) => logger.info(message, withIds(meta)),
    warn: (message, meta) => logger.warn(message, withIds(meta)),
    error: (message, meta) => logger.error(message, withIds(meta)),
    isDebugEnabled: () => logger.isDebugEnabled(),
  };
}
