// oncebus/sagas: long-running processes whose state is saved in each message's unit of work.
export { defineSaga, SagaBuilder } from './define-saga.js';
export { SagaModule, type SagaModuleOptions } from './saga-module.js';
export type { CorrelationValue, SagaContext, SagaDefinition, SagaHandle, SagaHandlerFunction, SagaNotFoundPolicy, SagaTimeoutOptions } from './saga-types.js';
export type { ISagaPersister, StoredSaga } from './saga-persister.js';
export { SAGA_ID_HEADER, SAGA_TIMEOUT_HEADER, SAGA_TYPE_HEADER } from './saga-headers.js';
export { MemorySagaPersister, memorySagaRows } from './persistence/memory-saga-persister.js';
export { SagaConcurrencyError, SagaCorrelationError, SagaNotFoundError } from '../errors/errors.js';
