import type { MemoryTransaction } from '../../src/idempotence/memory/index.js';
import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import { MemorySagaPersister, memorySagaRows } from '../../src/sagas/persistence/memory-saga-persister.js';
import { describeSagaRuntimeContract } from './saga-runtime-contract.js';

describeSagaRuntimeContract('the memory store', {
  open: async () => {
    const idempotence = new MemoryIdempotenceStore();
    const own = new Set<string>();
    return {
      // One store object: a second endpoint on it is a second bus over the same rows.
      idempotence: () => idempotence,
      persister: () => new MemorySagaPersister(),
      rows: async (sagaType) => memorySagaRows(idempotence.storeId).filter((r) => r.sagaType === sagaType),
      writeOwnRow: async (transaction, key) => (transaction as MemoryTransaction).onCommit(() => own.add(key)),
      ownRowExists: async (key) => own.has(key),
      close: async () => undefined,
    };
  },
});
