import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import { describeIdempotenceServiceContract, FLUSH_LEASE_MS } from './idempotence-contract.js';

describeIdempotenceServiceContract('memory', {
  open: async () => ({ factory: new MemoryIdempotenceStore({ flushLeaseMs: FLUSH_LEASE_MS }), close: async () => undefined }),
});
