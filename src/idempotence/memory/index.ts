export { MemoryIdempotenceStore, type MemoryRow } from './memory-idempotence-store.js';
export { MemoryIdempotenceService } from './memory-idempotence-service.js';
export { MemoryUnitOfWork, type MemoryTransaction } from './memory-unit-of-work.js';
