import { describeIdempotenceServiceContract, FLUSH_LEASE_MS } from './idempotence-contract.js';
import { describeQueueContract } from './queue-contract.js';
import { describeSubscriptionContract } from './subscription-contract.js';
import { openPostgresStore, postgresAvailable } from '../support/sql-subjects.js';

describeIdempotenceServiceContract('postgres', {
  available: postgresAvailable,
  open: async () => {
    const store = openPostgresStore();
    return { factory: store.idempotence({ flushLeaseMs: FLUSH_LEASE_MS }), close: () => store.dispose() };
  },
});

describeSubscriptionContract('postgres', {
  available: postgresAvailable,
  open: async () => {
    const store = openPostgresStore();
    return { service: store.subscriptions, close: () => store.dispose() };
  },
});

let queues: ReturnType<typeof openPostgresStore> | null = null;
describeQueueContract('postgres://', {
  available: postgresAvailable,
  open: (name) => {
    queues ??= openPostgresStore();
    return queues.queues.create(`postgres://default/${name}`);
  },
  supportsPriority: true,
  after: async () => {
    await queues?.dispose();
    queues = null;
  },
});

// The same contract for a queue that takes several rows per statement and transaction (?batch=N).
let batched: ReturnType<typeof openPostgresStore> | null = null;
describeQueueContract('postgres:// ?batch=16', {
  available: postgresAvailable,
  open: (name) => {
    batched ??= openPostgresStore();
    return batched.queues.create(`postgres://default/${name}?batch=16`);
  },
  supportsPriority: true,
  after: async () => {
    await batched?.dispose();
    batched = null;
  },
});

describeIdempotenceServiceContract('postgres (group commit)', {
  available: postgresAvailable,
  open: async () => {
    const store = openPostgresStore();
    return { factory: store.idempotence({ groupCommit: true, flushLeaseMs: FLUSH_LEASE_MS }), close: () => store.dispose() };
  },
});
