// oncebus/hosting: run an endpoint as a process — signals, exit codes, liveness and readiness probes.
// Re-exports only.
export { runEndpoint, type RunEndpointOptions, type EndpointHost } from './run-endpoint.js';
export type { HealthReport, HealthCheckEntry } from './health-report.js';
export type { ProbeServerOptions } from './probe-server.js';
export type { HostProcess } from './host-process.js';
