// The types the SQL stores' public classes refer to (a dialect's statements, the seam, the store), for the
// API reference and for whoever writes a dialect. Types only; each store entry re-exports them.
export type { ConnectionBudget } from './connection-budget.js';
export type { HandleLease } from './handle-lease.js';
export type { Migration } from './migrations.js';
export type { RowLockingQueueStatements } from './row-locking-queue.js';
export type { SqlDatabase, SqlTransaction } from './sql-database.js';
export type { SqlIdempotenceService, SqlIdempotenceSettings } from './sql-idempotence-service.js';
export type { SqlSessionService } from './sql-session-service.js';
export type { GroupCommitStatements, IdempotenceStatements, QueueStatements, SubscriptionStatements } from './sql-statements.js';
export type { SqlDialect, SqlStore, SqlStoreOptions } from './sql-store.js';
export type { SqlSubscriptionService, SubscriptionChanges } from './sql-subscription-service.js';
export type { RecordsSource, SqlUnitOfWork } from './sql-unit-of-work.js';
export type { RecordTables, SqlUnitOfWorkRecords } from './sql-unit-of-work-records.js';
