import { describeIdempotenceServiceContract, FLUSH_LEASE_MS } from './idempotence-contract.js';
import { describeQueueContract } from './queue-contract.js';
import { describeSubscriptionContract } from './subscription-contract.js';
import { openSqliteStore } from '../support/sql-subjects.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';

describeIdempotenceServiceContract('sqlite', {
  open: async () => {
    const store = openSqliteStore();
    return { factory: store.idempotence({ flushLeaseMs: FLUSH_LEASE_MS }), close: () => store.dispose() };
  },
});

describeIdempotenceServiceContract('sqlite (group commit)', {
  open: async () => {
    const store = openSqliteStore();
    return { factory: store.idempotence({ groupCommit: true, flushLeaseMs: FLUSH_LEASE_MS }), close: () => store.dispose() };
  },
});

describeSubscriptionContract('sqlite', {
  open: async () => {
    const store = openSqliteStore();
    // Another process on the same file.
    const peer = async () => {
      const other = new SqliteStore({ file: store.file });
      return { service: other.subscriptions, close: () => other.close() };
    };
    return { service: store.subscriptions, close: () => store.dispose(), peer };
  },
});

const queues = openSqliteStore({ leaseMs: 1000 });
describeQueueContract('sqlite://', {
  open: (name) => queues.queues.create(`sqlite://default/${name}`),
  supportsPriority: true,
  after: () => queues.dispose(),
});

// The same contract for a queue that leases several rows per statement (?batch=N). A short lease: the
// contract's "closed without settling" case frees the batch on close, so nothing waits it out.
const batched = openSqliteStore({ leaseMs: 1000 });
describeQueueContract('sqlite:// ?batch=16', {
  open: (name) => batched.queues.create(`sqlite://default/${name}?batch=16`),
  supportsPriority: true,
  after: () => batched.dispose(),
});
