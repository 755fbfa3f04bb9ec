import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import { describeIdempotenceServiceContract } from './idempotence-contract.js';

describeIdempotenceServiceContract('memory', {
  open: async () => ({ factory: new MemoryIdempotenceStore(), close: async () => undefined }),
});
