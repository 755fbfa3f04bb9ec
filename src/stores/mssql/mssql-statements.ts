import { sqlIdentifier } from '../sql/sql-identifiers.js';
import type { Migration } from '../sql/migrations.js';
import type { RowLockingQueueStatements } from '../sql/row-locking-queue.js';
import type { IdempotenceStatements, SubscriptionStatements } from '../sql/sql-statements.js';
import type { RecordTables } from '../sql/sql-unit-of-work-records.js';

/**
 * SQL Server statements in schema `s`; parameters are @p1, @p2, … (bound with explicit types, see
 * mssql-parameters.ts). Times are epoch milliseconds (BIGINT).
 */
export function mssqlIdempotence(s: string): IdempotenceStatements {
  return {
    // A plain INSERT: SQL Server checks the key under its key lock, so a copy claiming a key another
    // transaction inserted and has not committed waits for it, then inserts (rolled back) or fails with a
    // duplicate key (committed; the service reads the row). No range lock (UPDLOCK, HOLDLOCK), which would
    // also hold up claims of other new messages whose keys fall in the same gap of the index.
    claim: `INSERT INTO ${s}.idempotence (inbox_uri, message_id, status, message_type, created_at)
            VALUES (@p1, @p2, 'assigned', @p3, DATEDIFF_BIG(millisecond, '1970-01-01', SYSUTCDATETIME()))`,
    status: `SELECT status, flush_until FROM ${s}.idempotence WHERE inbox_uri = @p1 AND message_id = @p2`,
    insertDeferred: `INSERT INTO ${s}.idempotence_deferred (inbox_uri, message_id, sequence, outgoing_message_id, recipient_uri, body)
                     VALUES (@p1, @p2, @p3, @p4, @p5, @p6)`,
    markHandled: `UPDATE ${s}.idempotence SET status = 'handled', flush_owner = @p3, flush_until = @p4
                  WHERE inbox_uri = @p1 AND message_id = @p2 AND status = 'assigned'`,
    selectDeferred: `SELECT sequence, outgoing_message_id, recipient_uri, body FROM ${s}.idempotence_deferred
                     WHERE inbox_uri = @p1 AND message_id = @p2 ORDER BY sequence`,
    deleteDeferred: `DELETE FROM ${s}.idempotence_deferred WHERE inbox_uri = @p1 AND message_id = @p2 AND sequence = @p3`,
    markCompleted: `UPDATE ${s}.idempotence SET status = 'completed', completed_at = @p3, purge_after = @p4, flush_owner = NULL, flush_until = NULL
                    WHERE inbox_uri = @p1 AND message_id = @p2 AND status <> 'completed'`,
    takeFlush: `UPDATE ${s}.idempotence SET flush_owner = @p3, flush_until = @p5
                WHERE inbox_uri = @p1 AND message_id = @p2 AND status = 'handled'
                  AND (flush_owner IS NULL OR flush_owner = @p3 OR flush_until <= @p4)`,
    releaseFlush: `UPDATE ${s}.idempotence SET flush_owner = NULL, flush_until = NULL
                   WHERE inbox_uri = @p1 AND message_id = @p2 AND flush_owner = @p3`,
    purgeCompleted: `DELETE TOP (@p2) FROM ${s}.idempotence WHERE status = 'completed' AND purge_after < @p1`,
    pendingSends: `SELECT count(*) AS n, min(i.created_at) AS oldest FROM ${s}.idempotence_deferred d
                   JOIN ${s}.idempotence i ON i.inbox_uri = d.inbox_uri AND i.message_id = d.message_id WHERE d.inbox_uri = @p1`,
    orphaned: `SELECT TOP (@p3) message_id FROM ${s}.idempotence WHERE inbox_uri = @p1 AND status = 'handled'
               AND (flush_until IS NULL OR flush_until < @p2) ORDER BY created_at`,
    statsByStatus: `SELECT inbox_uri, status, count(*) AS n, min(created_at) AS oldest FROM ${s}.idempotence GROUP BY inbox_uri, status`,
    statsSends: `SELECT inbox_uri, count(*) AS n FROM ${s}.idempotence_deferred GROUP BY inbox_uri`,
    statsPurgeable: `SELECT inbox_uri, count(*) AS n FROM ${s}.idempotence WHERE status = 'completed' AND purge_after < @p1 GROUP BY inbox_uri`,
    rowsOf: `SELECT inbox_uri, status, message_type, created_at, completed_at, purge_after, flush_owner, flush_until
             FROM ${s}.idempotence WHERE message_id = @p1 ORDER BY inbox_uri`,
    storedSendsOf: `SELECT inbox_uri, sequence, outgoing_message_id, recipient_uri FROM ${s}.idempotence_deferred
                    WHERE message_id = @p1 ORDER BY inbox_uri, sequence`,
  };
}

export function mssqlSubscriptions(s: string): SubscriptionStatements {
  return {
    subscribe: `IF NOT EXISTS (SELECT 1 FROM ${s}.subscriptions WITH (UPDLOCK, HOLDLOCK) WHERE message_type = @p1 AND inbox_uri = @p2)
                INSERT INTO ${s}.subscriptions (message_type, inbox_uri) VALUES (@p1, @p2)`,
    subscribers: `SELECT inbox_uri FROM ${s}.subscriptions WHERE message_type = @p1 ORDER BY inbox_uri`,
    all: `SELECT message_type, inbox_uri FROM ${s}.subscriptions ORDER BY message_type, inbox_uri`,
    unsubscribe: `DELETE FROM ${s}.subscriptions WHERE message_type = @p1 AND inbox_uri = @p2`,
  };
}

export function mssqlQueue(s: string, table: string): RowLockingQueueStatements {
  const t = `${s}.${table}`;
  return {
    table: t,
    tableExists: `SELECT 1 AS found WHERE OBJECT_ID('${t}', 'U') IS NOT NULL`,
    createTable: [
      `IF OBJECT_ID('${t}', 'U') IS NULL CREATE TABLE ${t} (
         id BIGINT IDENTITY(1,1) PRIMARY KEY, message_id NVARCHAR(200) NOT NULL, priority INT NOT NULL DEFAULT 0,
         due_at BIGINT NOT NULL DEFAULT 0, expires_at BIGINT NOT NULL DEFAULT 0, body VARBINARY(MAX) NOT NULL)`,
      // The take's order, with due_at at hand: TOP (1) reads (and locks) rows in this order and stops at
      // the first ready one, instead of reading, locking and sorting every ready row.
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = '${table}_ready' AND object_id = OBJECT_ID('${t}'))
         CREATE INDEX ${table}_ready ON ${t} (priority DESC, id) INCLUDE (due_at)`,
    ],
    claimTable: `IF NOT EXISTS (SELECT 1 FROM ${s}.queue_names WITH (UPDLOCK, HOLDLOCK) WHERE table_name = '${table}') INSERT INTO ${s}.queue_names (table_name, queue_name) VALUES ('${table}', @p1)`,
    tableOwner: `SELECT queue_name FROM ${s}.queue_names WHERE table_name = '${table}'`,
    enqueue: `INSERT INTO ${t} (message_id, priority, due_at, expires_at, body) VALUES (@p1, @p2, @p3, @p4, @p5)`,
    // READPAST skips rows other consumers hold; UPDLOCK + ROWLOCK hold this one until commit or rollback.
    take: `SELECT TOP (1) id, body FROM ${t} WITH (UPDLOCK, READPAST, ROWLOCK) WHERE due_at <= @p1 ORDER BY priority DESC, id`,
    delete: `DELETE FROM ${t} WHERE id = @p1`,
    purge: `DELETE FROM ${t}`,
    drop: `IF OBJECT_ID('${t}', 'U') IS NOT NULL DROP TABLE ${t}`,
    count: `SELECT COUNT(*) AS n FROM ${t}`,
  };
}

export const mssqlVersionTable = (s: string): string => `${s}.schema_version`;
export const mssqlVersionTableExists = (s: string): string => `SELECT 1 AS found WHERE OBJECT_ID('${s}.schema_version', 'U') IS NOT NULL`;
export const mssqlCreateVersionTable = (s: string): string[] => [
  `IF SCHEMA_ID('${s}') IS NULL EXEC('CREATE SCHEMA ${s}')`,
  `IF OBJECT_ID('${s}.schema_version', 'U') IS NULL CREATE TABLE ${s}.schema_version (version INT PRIMARY KEY, description NVARCHAR(400) NOT NULL)`,
];

/** Byte-for-byte comparison for keys (message ids, URIs, types are case-sensitive). */
const BINARY = 'Latin1_General_100_BIN2';

/** Append-only. */
export function mssqlMigrations(s: string): Migration[] {
  return [
    {
      version: 1,
      description: 'idempotence, stored sends, subscriptions',
      statements: [
        `CREATE TABLE ${s}.idempotence (
           inbox_uri NVARCHAR(400) NOT NULL, message_id NVARCHAR(200) NOT NULL,
           status VARCHAR(10) NOT NULL CHECK (status IN ('assigned', 'handled', 'completed')),
           message_type NVARCHAR(400) NOT NULL, created_at BIGINT NOT NULL, completed_at BIGINT NULL, purge_after BIGINT NULL,
           CONSTRAINT pk_idempotence PRIMARY KEY (inbox_uri, message_id))`,
        `CREATE INDEX idempotence_purge ON ${s}.idempotence (purge_after) WHERE status = 'completed'`,
        `CREATE TABLE ${s}.idempotence_deferred (
           inbox_uri NVARCHAR(400) NOT NULL, message_id NVARCHAR(200) NOT NULL, sequence INT NOT NULL,
           outgoing_message_id NVARCHAR(200) NOT NULL, recipient_uri NVARCHAR(400) NOT NULL, body VARBINARY(MAX) NOT NULL,
           CONSTRAINT pk_idempotence_deferred PRIMARY KEY (inbox_uri, message_id, sequence),
           CONSTRAINT fk_idempotence_deferred FOREIGN KEY (inbox_uri, message_id) REFERENCES ${s}.idempotence (inbox_uri, message_id) ON DELETE CASCADE)`,
        `CREATE TABLE ${s}.subscriptions (message_type NVARCHAR(400) NOT NULL, inbox_uri NVARCHAR(400) NOT NULL,
           CONSTRAINT pk_subscriptions PRIMARY KEY (message_type, inbox_uri))`,
      ],
    },
    {
      version: 2,
      description: 'flush lease; binary collation on keys (ids are case-sensitive); the queue name behind each queue table',
      statements: [
        `ALTER TABLE ${s}.idempotence ADD flush_owner NVARCHAR(64) NULL, flush_until BIGINT NULL`,
        // The database's default collation is usually case- and trailing-space-insensitive: 'ABC' and
        // 'abc ' would be one messageId. Keys are compared byte for byte (BIN2) instead.
        `ALTER TABLE ${s}.idempotence_deferred DROP CONSTRAINT fk_idempotence_deferred`,
        `ALTER TABLE ${s}.idempotence_deferred DROP CONSTRAINT pk_idempotence_deferred`,
        `ALTER TABLE ${s}.idempotence DROP CONSTRAINT pk_idempotence`,
        `ALTER TABLE ${s}.subscriptions DROP CONSTRAINT pk_subscriptions`,
        `ALTER TABLE ${s}.idempotence ALTER COLUMN inbox_uri NVARCHAR(400) COLLATE ${BINARY} NOT NULL`,
        `ALTER TABLE ${s}.idempotence ALTER COLUMN message_id NVARCHAR(200) COLLATE ${BINARY} NOT NULL`,
        `ALTER TABLE ${s}.idempotence_deferred ALTER COLUMN inbox_uri NVARCHAR(400) COLLATE ${BINARY} NOT NULL`,
        `ALTER TABLE ${s}.idempotence_deferred ALTER COLUMN message_id NVARCHAR(200) COLLATE ${BINARY} NOT NULL`,
        `ALTER TABLE ${s}.subscriptions ALTER COLUMN message_type NVARCHAR(400) COLLATE ${BINARY} NOT NULL`,
        `ALTER TABLE ${s}.subscriptions ALTER COLUMN inbox_uri NVARCHAR(400) COLLATE ${BINARY} NOT NULL`,
        `ALTER TABLE ${s}.idempotence ADD CONSTRAINT pk_idempotence PRIMARY KEY (inbox_uri, message_id)`,
        `ALTER TABLE ${s}.idempotence_deferred ADD CONSTRAINT pk_idempotence_deferred PRIMARY KEY (inbox_uri, message_id, sequence)`,
        `ALTER TABLE ${s}.idempotence_deferred ADD CONSTRAINT fk_idempotence_deferred FOREIGN KEY (inbox_uri, message_id)
           REFERENCES ${s}.idempotence (inbox_uri, message_id) ON DELETE CASCADE`,
        `ALTER TABLE ${s}.subscriptions ADD CONSTRAINT pk_subscriptions PRIMARY KEY (message_type, inbox_uri)`,
        `CREATE TABLE ${s}.queue_names (table_name NVARCHAR(128) COLLATE ${BINARY} NOT NULL PRIMARY KEY,
           queue_name NVARCHAR(400) COLLATE ${BINARY} NOT NULL)`,
      ],
    },
    {
      version: 3,
      description: "index of rows still owing sends (the transactional sessions' sweeper)",
      statements: [`CREATE INDEX idempotence_owed ON ${s}.idempotence (inbox_uri, created_at) WHERE status = 'handled'`],
    },
    {
      version: 4,
      description: 'saga instances',
      statements: [
        // One row per instance; version advances with every save (optimistic concurrency). Times are epoch
        // ms. Keys compare byte for byte (BIN2); the primary key stays within the 900 bytes of a clustered key.
        `CREATE TABLE ${s}.sagas (
           saga_type NVARCHAR(200) COLLATE ${BINARY} NOT NULL, correlation_id NVARCHAR(200) COLLATE ${BINARY} NOT NULL,
           instance_id NVARCHAR(64) COLLATE ${BINARY} NOT NULL, state VARBINARY(MAX) NOT NULL, version BIGINT NOT NULL,
           created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, completed_at BIGINT NULL,
           CONSTRAINT pk_sagas PRIMARY KEY (saga_type, correlation_id))`,
        `CREATE UNIQUE INDEX sagas_instance ON ${s}.sagas (instance_id)`,
        `CREATE INDEX sagas_created ON ${s}.sagas (saga_type, created_at)`,
      ],
    },
    {
      version: 5,
      description: 'HTTP Idempotency-Keys and their stored responses',
      statements: [
        // One row per (scope, key): 'running' while attempt holds it (until locked_until), then 'completed'
        // with the response it answered. Times are epoch ms. KEY is reserved in T-SQL: the column is [key].
        // NVARCHAR like the parameters (a VARCHAR key would be converted, and not sought, on each lookup);
        // the primary key, (128 + 255) NVARCHAR characters = 766 bytes, stays within a clustered key's 900.
        `CREATE TABLE ${s}.http_keys (
           scope NVARCHAR(128) COLLATE ${BINARY} NOT NULL, [key] NVARCHAR(255) COLLATE ${BINARY} NOT NULL,
           fingerprint NVARCHAR(64) NOT NULL, status NVARCHAR(16) NOT NULL CHECK (status IN ('running', 'completed')),
           attempt NVARCHAR(64) NOT NULL, locked_until BIGINT NULL,
           response_status INT NULL, response_headers NVARCHAR(MAX) NULL, response_body VARBINARY(MAX) NULL,
           created_at BIGINT NOT NULL, completed_at BIGINT NULL, expires_at BIGINT NOT NULL,
           CONSTRAINT pk_http_keys PRIMARY KEY (scope, [key]))`,
        `CREATE INDEX http_keys_created ON ${s}.http_keys (created_at)`,
        `CREATE INDEX http_keys_expires ON ${s}.http_keys (expires_at)`,
      ],
    },
  ];
}

/** The tables kept for add-ons in schema `s` (IUnitOfWork.records). */
export const mssqlRecordTables = (s: string): RecordTables => ({ sagas: `${s}.sagas`, http_keys: `${s}.http_keys` });

/** Expired HTTP keys, one bounded batch (@p1 now, @p2 batch size): run by the store's retention purge. */
export const mssqlPurgeExpiredHttpKeys = (s: string): string => `DELETE TOP (@p2) FROM ${s}.http_keys WHERE expires_at < @p1`;

/**
 * What a database user needs to run endpoints on schema `s` without DDL rights: DML on the schema, which
 * covers the tables `oncebus migrate` creates later too. No CREATE TABLE, no ALTER.
 */
export function mssqlGrants(s: string, user: string): string[] {
  return [`GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::${s} TO ${sqlIdentifier(user, 'role')}`];
}
