export { MetricsModule, type MetricsOptions } from './metrics-module.js';
export { TracingModule, type TracingOptions } from './tracing-module.js';
export { withTraceContext } from './trace-context-logger.js';
export { idempotenceOutcome, messageAttributes } from './message-attributes.js';
