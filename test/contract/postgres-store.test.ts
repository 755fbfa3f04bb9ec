import { describeIdempotenceServiceContract, FLUSH_LEASE_MS } from './idempotence-contract.js';
import { describeQueueContract } from './queue-contract.js';
import { describeSubscriptionContract } from './subscription-contract.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { openPostgresStore, PG_POOLER_OPTIONS, PG_URL, postgresAvailable } from '../support/sql-subjects.js';

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
    // Another process on the same schema: it learns of a new subscription by NOTIFY.
    const peer = async () => {
      const other = new PostgresStore({ connectionString: PG_URL, schema: store.schema, connectTimeoutMs: 3000, ...PG_POOLER_OPTIONS });
      return { service: other.subscriptions, close: () => other.close() };
    };
    return { service: store.subscriptions, close: () => store.dispose(), peer };
  },
  // The notification's way from the subscriber's commit to the publisher: the window the docs state.
  propagationMs: 1000,
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
