export { HandlerTestContext, type HandlerTestContextOptions, type RecordedMessage } from './handler-test-context.js';
export { SagaScenario, SagaTestContext, type RequestedTimeout, type SagaInstanceView, type SagaScenarioOptions } from './saga-scenario.js';
export { type FlowStep, type HarnessEndpointOptions, type SettledOptions, TestHarness } from './test-harness.js';
export { FaultInjectionModule, isFaultPointName, type FaultAction, type FaultPoint, type FaultPointName } from '../faults/fault-injection-module.js';
