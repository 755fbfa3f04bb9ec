export { MetricsModule, type MetricsOptions } from './metrics-module.js';
export { TracingModule, type TracingOptions } from './tracing-module.js';
export { idempotenceOutcome, messageAttributes } from './message-attributes.js';
