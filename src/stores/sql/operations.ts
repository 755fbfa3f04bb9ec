// The SQL store internals the operations tools (src/operations) build on, and their only way in: the
// operations store migrates its own tables, runs transactions and checks identifiers as the stores do, and
// reads the endpoints' idempotence rows through their SqlStore, and their subscriptions.
export { type Migration, migrate } from './migrations.js';
export { inTransaction, type SqlDatabase } from './sql-database.js';
export { sqlIdentifier } from './sql-identifiers.js';
export type { SqlStore } from './sql-store.js';
export { recordMigration } from './migrations.js';
export { sqlQueueTable } from './sql-queue-uri.js';
export type { QueueStatements } from './sql-statements.js';
export type { SqlSubscriptionService } from './sql-subscription-service.js';
