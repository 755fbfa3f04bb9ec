import type { Migration } from '../sql/migrations.js';
import type { IdempotenceStatements, QueueStatements, SubscriptionStatements } from '../sql/sql-statements.js';
import type { RecordTables } from '../sql/sql-unit-of-work-records.js';

/**
 * SQLite statements; `p` is the table prefix (SQLite has no schemas). Times are epoch milliseconds.
 * The claim needs no waiting logic: BEGIN IMMEDIATE already made this transaction the only writer, so
 * any row it finds is committed.
 */
export function sqliteIdempotence(p: string): IdempotenceStatements {
  return {
    claim: `INSERT OR IGNORE INTO ${p}idempotence (inbox_uri, message_id, status, message_type, created_at)
            VALUES ($1, $2, 'assigned', $3, CAST(unixepoch('subsec') * 1000 AS INTEGER))`,
    status: `SELECT status, flush_until FROM ${p}idempotence WHERE inbox_uri = $1 AND message_id = $2`,
    insertDeferred: `INSERT INTO ${p}idempotence_deferred (inbox_uri, message_id, sequence, outgoing_message_id, recipient_uri, body)
                     VALUES ($1, $2, $3, $4, $5, $6)`,
    markHandled: `UPDATE ${p}idempotence SET status = 'handled', flush_owner = $3, flush_until = $4
                  WHERE inbox_uri = $1 AND message_id = $2 AND status = 'assigned'`,
    selectDeferred: `SELECT sequence, outgoing_message_id, recipient_uri, body FROM ${p}idempotence_deferred
                     WHERE inbox_uri = $1 AND message_id = $2 ORDER BY sequence`,
    deleteDeferred: `DELETE FROM ${p}idempotence_deferred WHERE inbox_uri = $1 AND message_id = $2 AND sequence = $3`,
    markCompleted: `UPDATE ${p}idempotence SET status = 'completed', completed_at = $3, purge_after = $4, flush_owner = NULL, flush_until = NULL
                    WHERE inbox_uri = $1 AND message_id = $2 AND status <> 'completed'`,
    takeFlush: `UPDATE ${p}idempotence SET flush_owner = $3, flush_until = $5
                WHERE inbox_uri = $1 AND message_id = $2 AND status = 'handled'
                  AND (flush_owner IS NULL OR flush_owner = $3 OR flush_until <= $4)`,
    releaseFlush: `UPDATE ${p}idempotence SET flush_owner = NULL, flush_until = NULL
                   WHERE inbox_uri = $1 AND message_id = $2 AND flush_owner = $3`,
    purgeCompleted: `DELETE FROM ${p}idempotence WHERE rowid IN (
                       SELECT rowid FROM ${p}idempotence WHERE status = 'completed' AND purge_after < $1 LIMIT $2)`,
    pendingSends: `SELECT count(*) AS n, min(i.created_at) AS oldest FROM ${p}idempotence_deferred d
                   JOIN ${p}idempotence i ON i.inbox_uri = d.inbox_uri AND i.message_id = d.message_id WHERE d.inbox_uri = $1`,
    orphaned: `SELECT message_id FROM ${p}idempotence WHERE inbox_uri = $1 AND status = 'handled'
               AND (flush_until IS NULL OR flush_until < $2) ORDER BY created_at LIMIT $3`,
    statsByStatus: `SELECT inbox_uri, status, count(*) AS n, min(created_at) AS oldest FROM ${p}idempotence GROUP BY inbox_uri, status`,
    statsSends: `SELECT inbox_uri, count(*) AS n FROM ${p}idempotence_deferred GROUP BY inbox_uri`,
    statsPurgeable: `SELECT inbox_uri, count(*) AS n FROM ${p}idempotence WHERE status = 'completed' AND purge_after < $1 GROUP BY inbox_uri`,
    rowsOf: `SELECT inbox_uri, status, message_type, created_at, completed_at, purge_after, flush_owner, flush_until
             FROM ${p}idempotence WHERE message_id = $1 ORDER BY inbox_uri`,
    storedSendsOf: `SELECT inbox_uri, sequence, outgoing_message_id, recipient_uri FROM ${p}idempotence_deferred
                    WHERE message_id = $1 ORDER BY inbox_uri, sequence`,
  };
}

export function sqliteSubscriptions(p: string): SubscriptionStatements {
  return {
    subscribe: `INSERT OR IGNORE INTO ${p}subscriptions (message_type, inbox_uri) VALUES ($1, $2)`,
    subscribers: `SELECT inbox_uri FROM ${p}subscriptions WHERE message_type = $1 ORDER BY inbox_uri`,
    all: `SELECT message_type, inbox_uri FROM ${p}subscriptions ORDER BY message_type, inbox_uri`,
    unsubscribe: `DELETE FROM ${p}subscriptions WHERE message_type = $1 AND inbox_uri = $2`,
  };
}

export function sqliteQueue(p: string, table: string): QueueStatements & { take: string; delete: string; unlock: string; takeMany: string; deleteMany: string; unlockMany: string } {
  const t = `${p}${table}`;
  return {
    table: t,
    tableExists: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${t}'`,
    createTable: [
      `CREATE TABLE IF NOT EXISTS ${t} (
         id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
         due_at INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL DEFAULT 0, body BLOB NOT NULL,
         locked_until INTEGER NOT NULL DEFAULT 0, lock_token TEXT)`,
      `CREATE INDEX IF NOT EXISTS ${t}_ready ON ${t} (priority DESC, id)`,
    ],
    claimTable: `INSERT OR IGNORE INTO ${p}queue_names (table_name, queue_name) VALUES ('${t}', $1)`,
    tableOwner: `SELECT queue_name FROM ${p}queue_names WHERE table_name = '${t}'`,
    enqueue: `INSERT INTO ${t} (message_id, priority, due_at, expires_at, body) VALUES ($1, $2, $3, $4, $5)`,
    // One statement: find the first ready row that nobody holds (or whose lease ran out) and lease it.
    take: `UPDATE ${t} SET locked_until = $2, lock_token = $3 WHERE id = (
             SELECT id FROM ${t} WHERE due_at <= $1 AND locked_until <= $1 ORDER BY priority DESC, id LIMIT 1)
           RETURNING id, body`,
    delete: `DELETE FROM ${t} WHERE id = $1 AND lock_token = $2`,
    unlock: `UPDATE ${t} SET locked_until = 0, lock_token = NULL WHERE id = $1 AND lock_token = $2`,
    // A batch (SqliteBatchQueue): up to $4 ready rows leased under one token; its end deletes the
    // acknowledged ones ($2: a JSON array of ids) and frees the rest.
    takeMany: `UPDATE ${t} SET locked_until = $2, lock_token = $3 WHERE id IN (
             SELECT id FROM ${t} WHERE due_at <= $1 AND locked_until <= $1 ORDER BY priority DESC, id LIMIT $4)
           RETURNING id, priority, body`,
    deleteMany: `DELETE FROM ${t} WHERE lock_token = $1 AND id IN (SELECT value FROM json_each($2))`,
    // By id (the primary key), not by token alone: lock_token has no index, and a scan of the table per
    // batch made draining a queue quadratic (4.5k msg/s at 100,000 rows against 10k at 20,000).
    unlockMany: `UPDATE ${t} SET locked_until = 0, lock_token = NULL WHERE lock_token = $1 AND id IN (SELECT value FROM json_each($2))`,
    purge: `DELETE FROM ${t}`,
    drop: `DROP TABLE IF EXISTS ${t}`,
    count: `SELECT count(*) AS n FROM ${t}`,
  };
}

export const sqliteVersionTable = (p: string): string => `${p}schema_version`;
export const sqliteVersionTableExists = (p: string): string => `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${p}schema_version'`;
export const sqliteCreateVersionTable = (p: string): string[] => [
  `CREATE TABLE IF NOT EXISTS ${p}schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL)`,
];

/** Append-only. */
export function sqliteMigrations(p: string): Migration[] {
  return [
    {
      version: 1,
      description: 'idempotence, stored sends, subscriptions',
      statements: [
        `CREATE TABLE ${p}idempotence (
           inbox_uri TEXT NOT NULL, message_id TEXT NOT NULL,
           status TEXT NOT NULL CHECK (status IN ('assigned', 'handled', 'completed')),
           message_type TEXT NOT NULL, created_at INTEGER NOT NULL, completed_at INTEGER, purge_after INTEGER,
           PRIMARY KEY (inbox_uri, message_id))`,
        `CREATE INDEX ${p}idempotence_purge ON ${p}idempotence (purge_after) WHERE status = 'completed'`,
        `CREATE TABLE ${p}idempotence_deferred (
           inbox_uri TEXT NOT NULL, message_id TEXT NOT NULL, sequence INTEGER NOT NULL,
           outgoing_message_id TEXT NOT NULL, recipient_uri TEXT NOT NULL, body BLOB NOT NULL,
           PRIMARY KEY (inbox_uri, message_id, sequence),
           FOREIGN KEY (inbox_uri, message_id) REFERENCES ${p}idempotence (inbox_uri, message_id) ON DELETE CASCADE)`,
        `CREATE TABLE ${p}subscriptions (message_type TEXT NOT NULL, inbox_uri TEXT NOT NULL, PRIMARY KEY (message_type, inbox_uri))`,
      ],
    },
    {
      version: 2,
      description: 'flush lease on handled rows; the queue name behind each queue table',
      statements: [
        `ALTER TABLE ${p}idempotence ADD COLUMN flush_owner TEXT`,
        `ALTER TABLE ${p}idempotence ADD COLUMN flush_until INTEGER`,
        `CREATE TABLE ${p}queue_names (table_name TEXT PRIMARY KEY, queue_name TEXT NOT NULL)`,
      ],
    },
    {
      version: 3,
      description: "index of rows still owing sends (the transactional sessions' sweeper)",
      statements: [`CREATE INDEX ${p}idempotence_owed ON ${p}idempotence (inbox_uri, created_at) WHERE status = 'handled'`],
    },
    {
      version: 4,
      description: 'saga instances',
      statements: [
        // One row per instance; version advances with every save (optimistic concurrency). Times are epoch ms.
        `CREATE TABLE ${p}sagas (
           saga_type TEXT NOT NULL, correlation_id TEXT NOT NULL, instance_id TEXT NOT NULL, state BLOB NOT NULL,
           version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, completed_at INTEGER,
           PRIMARY KEY (saga_type, correlation_id))`,
        `CREATE UNIQUE INDEX ${p}sagas_instance ON ${p}sagas (instance_id)`,
        `CREATE INDEX ${p}sagas_created ON ${p}sagas (saga_type, created_at)`,
      ],
    },
    {
      version: 5,
      description: 'HTTP Idempotency-Keys and their stored responses',
      statements: [
        // One row per (scope, key): 'running' while attempt holds it (until locked_until), then 'completed'
        // with the response it answered. Times are epoch ms; expires_at is when the key is forgotten.
        `CREATE TABLE ${p}http_keys (
           scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
           status TEXT NOT NULL CHECK (status IN ('running', 'completed')), attempt TEXT NOT NULL, locked_until INTEGER,
           response_status INTEGER, response_headers TEXT, response_body BLOB,
           created_at INTEGER NOT NULL, completed_at INTEGER, expires_at INTEGER NOT NULL,
           PRIMARY KEY (scope, key))`,
        `CREATE INDEX ${p}http_keys_created ON ${p}http_keys (created_at)`,
        `CREATE INDEX ${p}http_keys_expires ON ${p}http_keys (expires_at)`,
      ],
    },
  ];
}

/** The tables kept for add-ons with prefix `p` (IUnitOfWork.records). */
export const sqliteRecordTables = (p: string): RecordTables => ({ sagas: `${p}sagas`, http_keys: `${p}http_keys` });

/** Expired HTTP keys, one bounded batch ($1 now, $2 batch size): run by the store's retention purge. */
export const sqlitePurgeExpiredHttpKeys = (p: string): string =>
  `DELETE FROM ${p}http_keys WHERE rowid IN (SELECT rowid FROM ${p}http_keys WHERE expires_at < $1 LIMIT $2)`;
