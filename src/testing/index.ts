export { HandlerTestContext, type HandlerTestContextOptions, type RecordedMessage } from './handler-test-context.js';
export { type FlowStep, type HarnessEndpointOptions, type SettledOptions, TestHarness } from './test-harness.js';
