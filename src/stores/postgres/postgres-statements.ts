import { sqlIdentifier } from '../sql/sql-identifiers.js';
import type { Migration } from '../sql/migrations.js';
import type { BatchTakingQueueStatements } from '../sql/batch-taking-queue.js';
import type { GroupCommitStatements, IdempotenceStatements, SubscriptionStatements } from '../sql/sql-statements.js';
import type { RecordTables } from '../sql/sql-unit-of-work-records.js';

/**
 * PostgreSQL statements, in schema `s`. Times are epoch milliseconds (bigint), as in every dialect, so
 * rows mean the same whatever the server's time zone.
 */
export function postgresIdempotence(s: string): IdempotenceStatements {
  return {
    // ON CONFLICT waits for an uncommitted conflicting insert to commit or roll back, then decides:
    // that wait is what keeps a concurrent copy from running the handler.
    claim: `INSERT INTO ${s}.idempotence (inbox_uri, message_id, status, message_type, created_at)
            VALUES ($1, $2, 'assigned', $3, (extract(epoch from clock_timestamp()) * 1000)::bigint)
            ON CONFLICT (inbox_uri, message_id) DO NOTHING`,
    status: `SELECT status, flush_until FROM ${s}.idempotence WHERE inbox_uri = $1 AND message_id = $2`,
    insertDeferred: `INSERT INTO ${s}.idempotence_deferred (inbox_uri, message_id, sequence, outgoing_message_id, recipient_uri, body)
                     VALUES ($1, $2, $3, $4, $5, $6)`,
    markHandled: `UPDATE ${s}.idempotence SET status = 'handled', flush_owner = $3, flush_until = $4
                  WHERE inbox_uri = $1 AND message_id = $2 AND status = 'assigned'`,
    selectDeferred: `SELECT sequence, outgoing_message_id, recipient_uri, body FROM ${s}.idempotence_deferred
                     WHERE inbox_uri = $1 AND message_id = $2 ORDER BY sequence`,
    deleteDeferred: `DELETE FROM ${s}.idempotence_deferred WHERE inbox_uri = $1 AND message_id = $2 AND sequence = $3`,
    markCompleted: `UPDATE ${s}.idempotence SET status = 'completed', completed_at = $3, purge_after = $4, flush_owner = NULL, flush_until = NULL
                    WHERE inbox_uri = $1 AND message_id = $2 AND status <> 'completed'`,
    takeFlush: `UPDATE ${s}.idempotence SET flush_owner = $3, flush_until = $5
                WHERE inbox_uri = $1 AND message_id = $2 AND status = 'handled'
                  AND (flush_owner IS NULL OR flush_owner = $3 OR flush_until <= $4)`,
    releaseFlush: `UPDATE ${s}.idempotence SET flush_owner = NULL, flush_until = NULL
                   WHERE inbox_uri = $1 AND message_id = $2 AND flush_owner = $3`,
    // Bounded: one batch per statement, so the purge holds few row locks at a time.
    purgeCompleted: `DELETE FROM ${s}.idempotence WHERE ctid IN (
                       SELECT ctid FROM ${s}.idempotence WHERE status = 'completed' AND purge_after < $1 LIMIT $2)`,
    pendingSends: `SELECT count(*)::int AS n, min(i.created_at) AS oldest FROM ${s}.idempotence_deferred d
                   JOIN ${s}.idempotence i ON i.inbox_uri = d.inbox_uri AND i.message_id = d.message_id WHERE d.inbox_uri = $1`,
    orphaned: `SELECT message_id FROM ${s}.idempotence WHERE inbox_uri = $1 AND status = 'handled'
               AND (flush_until IS NULL OR flush_until < $2) ORDER BY created_at LIMIT $3`,
    statsByStatus: `SELECT inbox_uri, status, count(*)::int AS n, min(created_at) AS oldest FROM ${s}.idempotence GROUP BY inbox_uri, status`,
    statsSends: `SELECT inbox_uri, count(*)::int AS n FROM ${s}.idempotence_deferred GROUP BY inbox_uri`,
    statsPurgeable: `SELECT inbox_uri, count(*)::int AS n FROM ${s}.idempotence WHERE status = 'completed' AND purge_after < $1 GROUP BY inbox_uri`,
    rowsOf: `SELECT inbox_uri, status, message_type, created_at, completed_at, purge_after, flush_owner, flush_until
             FROM ${s}.idempotence WHERE message_id = $1 ORDER BY inbox_uri`,
    storedSendsOf: `SELECT inbox_uri, sequence, outgoing_message_id, recipient_uri FROM ${s}.idempotence_deferred
                    WHERE message_id = $1 ORDER BY inbox_uri, sequence`,
  };
}

/** Group commit on PostgreSQL: arrays travel as parameters and are expanded with unnest. */
export function postgresGroupCommit(s: string): GroupCommitStatements {
  return {
    // Each new row is written as it commits when its handler stores no sends ('completed', with its purge
    // time): nothing is owed then, so no completion statement follows. Members with sends are corrected to
    // 'handled' before the commit; nobody sees the row before the commit. ORDER BY: every process claims in
    // key order, so two batches never deadlock on each other's claims.
    claimMany: `INSERT INTO ${s}.idempotence (inbox_uri, message_id, status, message_type, created_at, completed_at, purge_after)
                SELECT $1, m.id, 'completed', m.type, $4, $4, m.purge_after
                FROM unnest($2::text[], $3::text[], $5::bigint[]) AS m(id, type, purge_after) ORDER BY m.id
                ON CONFLICT (inbox_uri, message_id) DO NOTHING RETURNING message_id`,
    statusMany: `SELECT message_id, status FROM ${s}.idempotence WHERE inbox_uri = $1 AND message_id = ANY($2::text[])`,
    // One statement for the batch: store every send (in send order) and mark their messages 'handled',
    // each with the flush lease of its own copy. The bodies arrive end to end in one bytea ($6, sent in
    // binary) and are cut apart with $10 (starts) and $11 (lengths), as enqueueMany does: a bytea[] would
    // travel as hex text the server parses back.
    storeSendsMany: `WITH stored AS (
                       INSERT INTO ${s}.idempotence_deferred (inbox_uri, message_id, sequence, outgoing_message_id, recipient_uri, body)
                       SELECT $1, d.id, d.seq, d.out_id, d.recipient, substring($6::bytea FROM d.s FOR d.l)
                       FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $10::int[], $11::int[]) AS d(id, seq, out_id, recipient, s, l)
                       RETURNING 1)
                     UPDATE ${s}.idempotence i SET status = 'handled', completed_at = NULL, purge_after = NULL,
                       flush_owner = o.owner, flush_until = $9
                     FROM unnest($7::text[], $8::text[]) AS o(id, owner)
                     WHERE i.inbox_uri = $1 AND i.message_id = o.id`,
    storeSendsPackedBodies: true,
    deleteClaim: `DELETE FROM ${s}.idempotence WHERE inbox_uri = $1 AND message_id = $2`,
    savepoint: (name) => `SAVEPOINT ${name}`,
    rollbackToSavepoint: (name) => `ROLLBACK TO SAVEPOINT ${name}`,
    releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
    // A completed message owes nothing: all its stored sends go, those reported sent one by one (by
    // sequence: a publish stored one row per subscriber, all with one outgoing id) and the rest.
    completeMany: `WITH sent AS (
                     DELETE FROM ${s}.idempotence_deferred d
                     WHERE d.inbox_uri = $1
                       AND (d.message_id = ANY($4::text[])
                            OR (d.message_id, d.sequence) IN (SELECT * FROM unnest($2::text[], $3::int[])))
                     RETURNING 1)
                   UPDATE ${s}.idempotence i SET status = 'completed', completed_at = $5, purge_after = c.purge_after,
                     flush_owner = NULL, flush_until = NULL
                   FROM unnest($4::text[], $6::bigint[]) AS c(id, purge_after)
                   WHERE i.inbox_uri = $1 AND i.message_id = c.id AND i.status <> 'completed'`,
  };
}

export function postgresSubscriptions(s: string): SubscriptionStatements {
  return {
    subscribe: `INSERT INTO ${s}.subscriptions (message_type, inbox_uri) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    subscribers: `SELECT inbox_uri FROM ${s}.subscriptions WHERE message_type = $1 ORDER BY inbox_uri`,
    all: `SELECT message_type, inbox_uri FROM ${s}.subscriptions ORDER BY message_type, inbox_uri`,
    unsubscribe: `DELETE FROM ${s}.subscriptions WHERE message_type = $1 AND inbox_uri = $2`,
  };
}

export function postgresQueue(s: string, table: string, channel: string): BatchTakingQueueStatements {
  const t = `${s}.${table}`;
  return {
    table: t,
    // pg_tables lists every table whatever the role's rights on it, so "missing" means missing.
    tableExists: `SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = '${s}' AND tablename = '${table}'`,
    createTable: [
      `CREATE TABLE IF NOT EXISTS ${t} (
         id bigserial PRIMARY KEY, message_id text NOT NULL, priority integer NOT NULL DEFAULT 0,
         due_at bigint NOT NULL DEFAULT 0, expires_at bigint NOT NULL DEFAULT 0, body bytea NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS ${table}_ready ON ${t} (priority DESC, id)`,
      // Receivers listening on the channel wake when rows arrive (PostgresNotifier); a table made by an
      // earlier version gets its trigger when a receiver next creates it.
      `DO $$ BEGIN
         CREATE TRIGGER ${table}_enqueued AFTER INSERT ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${s}.notify_enqueued('${channel}');
       EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    ],
    claimTable: `INSERT INTO ${s}.queue_names (table_name, queue_name) VALUES ('${table}', $1) ON CONFLICT DO NOTHING`,
    tableOwner: `SELECT queue_name FROM ${s}.queue_names WHERE table_name = '${table}'`,
    enqueue: `INSERT INTO ${t} (message_id, priority, due_at, expires_at, body) VALUES ($1, $2, $3, $4, $5)`,
    // The bodies arrive end to end in one bytea, sent in binary, and are cut apart here: a bytea[] parameter
    // travels as hex text the server must parse back (twice its size), about half this statement's CPU.
    enqueueMany: `INSERT INTO ${t} (message_id, priority, due_at, expires_at, body)
      SELECT m, p, d, e, substring($5::bytea FROM s FOR l)
      FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::bigint[], $6::integer[], $7::integer[]) WITH ORDINALITY AS u(m, p, d, e, s, l, o) ORDER BY o`,
    // SKIP LOCKED: competing consumers each take a different row, none waits for another.
    take: `SELECT id, body FROM ${t} WHERE due_at <= $1 ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    delete: `DELETE FROM ${t} WHERE id = $1`,
    takeMany: `SELECT id, body FROM ${t} WHERE due_at <= $1 ORDER BY priority DESC, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    deleteMany: `DELETE FROM ${t} WHERE id = ANY($1::bigint[])`,
    purge: `DELETE FROM ${t}`,
    drop: `DROP TABLE IF EXISTS ${t}`,
    count: `SELECT count(*)::int AS n FROM ${t}`,
  };
}

export const postgresVersionTable = (s: string): string => `${s}.schema_version`;
export const postgresVersionTableExists = (s: string): string =>
  `SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = '${s}' AND tablename = 'schema_version'`;
export const postgresCreateVersionTable = (s: string): string[] => [
  `CREATE SCHEMA IF NOT EXISTS ${s}`,
  `CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer PRIMARY KEY, description text NOT NULL)`,
];

/** Append-only. */
export function postgresMigrations(s: string): Migration[] {
  return [
    {
      version: 1,
      description: 'idempotence, stored sends, subscriptions',
      statements: [
        `CREATE TABLE ${s}.idempotence (
           inbox_uri text NOT NULL, message_id text NOT NULL,
           status text NOT NULL CHECK (status IN ('assigned', 'handled', 'completed')),
           message_type text NOT NULL, created_at bigint NOT NULL, completed_at bigint, purge_after bigint,
           PRIMARY KEY (inbox_uri, message_id))`,
        `CREATE INDEX idempotence_purge ON ${s}.idempotence (purge_after) WHERE status = 'completed'`,
        `CREATE TABLE ${s}.idempotence_deferred (
           inbox_uri text NOT NULL, message_id text NOT NULL, sequence integer NOT NULL,
           outgoing_message_id text NOT NULL, recipient_uri text NOT NULL, body bytea NOT NULL,
           PRIMARY KEY (inbox_uri, message_id, sequence),
           FOREIGN KEY (inbox_uri, message_id) REFERENCES ${s}.idempotence ON DELETE CASCADE)`,
        `CREATE TABLE ${s}.subscriptions (message_type text NOT NULL, inbox_uri text NOT NULL, PRIMARY KEY (message_type, inbox_uri))`,
      ],
    },
    {
      version: 2,
      description: 'flush lease on handled rows; the queue name behind each queue table',
      statements: [
        `ALTER TABLE ${s}.idempotence ADD COLUMN flush_owner text, ADD COLUMN flush_until bigint`,
        `CREATE TABLE ${s}.queue_names (table_name text PRIMARY KEY, queue_name text NOT NULL)`,
      ],
    },
    {
      version: 3,
      description: "index of rows still owing sends (the transactional sessions' sweeper)",
      statements: [`CREATE INDEX idempotence_owed ON ${s}.idempotence (inbox_uri, created_at) WHERE status = 'handled'`],
    },
    {
      version: 4,
      description: 'notify the listening receivers when rows are inserted into a queue table',
      statements: [
        `CREATE FUNCTION ${s}.notify_enqueued() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN PERFORM pg_notify(TG_ARGV[0], TG_TABLE_NAME); RETURN NULL; END $$`,
      ],
    },
    {
      version: 5,
      description: 'saga instances',
      statements: [
        // One row per instance; version advances with every save (optimistic concurrency). Times are epoch ms.
        `CREATE TABLE ${s}.sagas (
           saga_type text NOT NULL, correlation_id text NOT NULL, instance_id text NOT NULL, state bytea NOT NULL,
           version bigint NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL, completed_at bigint,
           PRIMARY KEY (saga_type, correlation_id))`,
        `CREATE UNIQUE INDEX sagas_instance ON ${s}.sagas (instance_id)`,
        `CREATE INDEX sagas_created ON ${s}.sagas (saga_type, created_at)`,
      ],
    },
    {
      version: 6,
      description: 'HTTP Idempotency-Keys and their stored responses',
      statements: [
        // One row per (scope, key): 'running' while attempt holds it (until locked_until), then 'completed'
        // with the response it answered. Times are epoch ms; expires_at is when the key is forgotten.
        `CREATE TABLE ${s}.http_keys (
           scope text NOT NULL, key text NOT NULL, fingerprint text NOT NULL,
           status text NOT NULL CHECK (status IN ('running', 'completed')), attempt text NOT NULL, locked_until bigint,
           response_status integer, response_headers text, response_body bytea,
           created_at bigint NOT NULL, completed_at bigint, expires_at bigint NOT NULL,
           PRIMARY KEY (scope, key))`,
        `CREATE INDEX http_keys_created ON ${s}.http_keys (created_at)`,
        `CREATE INDEX http_keys_expires ON ${s}.http_keys (expires_at)`,
      ],
    },
  ];
}

/** The tables kept for add-ons in schema `s` (IUnitOfWork.records). */
export const postgresRecordTables = (s: string): RecordTables => ({ sagas: `${s}.sagas`, http_keys: `${s}.http_keys` });

/** Expired HTTP keys, one bounded batch ($1 now, $2 batch size): run by the store's retention purge. */
export const postgresPurgeExpiredHttpKeys = (s: string): string =>
  `DELETE FROM ${s}.http_keys WHERE ctid IN (SELECT ctid FROM ${s}.http_keys WHERE expires_at < $1 LIMIT $2)`;

/**
 * What a role needs to run endpoints on schema `s` without DDL rights: the schema's USAGE, DML on its tables
 * and the queue tables' sequences, now and (default privileges) for those `oncebus migrate` creates later —
 * so run these as the user that runs `oncebus migrate`. No CREATE anywhere.
 */
export function postgresGrants(s: string, role: string): string[] {
  const r = sqlIdentifier(role, 'role');
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT ON SEQUENCES TO ${r}`,
  ];
}
