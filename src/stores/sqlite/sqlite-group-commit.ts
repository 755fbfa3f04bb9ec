import type { GroupCommitStatements } from '../sql/sql-statements.js';

/**
 * Group commit on SQLite. Arrays travel as JSON text (SqliteDatabase binds a JS array so, a binary
 * element as hex) and are expanded with json_each, zipped by position (`key`). SQLite allows no writes in
 * a WITH clause, so storing the sends and completing take two statements each, run in order in one
 * transaction. BEGIN IMMEDIATE makes the batch's transaction the only writer: a claim never waits on
 * another transaction's uncommitted row, and no two batches can deadlock.
 */
export function sqliteGroupCommit(p: string): GroupCommitStatements {
  return {
    // As on PostgreSQL: a new row is written as it commits when its handler stores no sends ('completed',
    // with its purge time). `WHERE true` lets SQLite parse the upsert after a SELECT with joins.
    claimMany: `INSERT INTO ${p}idempotence (inbox_uri, message_id, status, message_type, created_at, completed_at, purge_after)
                SELECT $1, i.value, 'completed', t.value, $4, $4, a.value
                FROM json_each($2) AS i JOIN json_each($3) AS t ON t.key = i.key JOIN json_each($5) AS a ON a.key = i.key
                WHERE true ORDER BY i.value
                ON CONFLICT (inbox_uri, message_id) DO NOTHING RETURNING message_id`,
    statusMany: `SELECT message_id, status FROM ${p}idempotence WHERE inbox_uri = $1 AND message_id IN (SELECT value FROM json_each($2))`,
    storeSendsMany: [
      `INSERT INTO ${p}idempotence_deferred (inbox_uri, message_id, sequence, outgoing_message_id, recipient_uri, body)
       SELECT $1, i.value, s.value, o.value, r.value, unhex(b.value)
       FROM json_each($2) AS i JOIN json_each($3) AS s ON s.key = i.key JOIN json_each($4) AS o ON o.key = i.key
         JOIN json_each($5) AS r ON r.key = i.key JOIN json_each($6) AS b ON b.key = i.key`,
      // Last: its count is the number of messages marked.
      `UPDATE ${p}idempotence AS i SET status = 'handled', completed_at = NULL, purge_after = NULL, flush_owner = o.owner, flush_until = $9
       FROM (SELECT m.value AS id, w.value AS owner FROM json_each($7) AS m JOIN json_each($8) AS w ON w.key = m.key) AS o
       WHERE i.inbox_uri = $1 AND i.message_id = o.id`,
    ],
    deleteClaim: `DELETE FROM ${p}idempotence WHERE inbox_uri = $1 AND message_id = $2`,
    savepoint: (name) => `SAVEPOINT ${name}`,
    rollbackToSavepoint: (name) => `ROLLBACK TO SAVEPOINT ${name}`,
    releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
    completeMany: [
      `DELETE FROM ${p}idempotence_deferred
       WHERE inbox_uri = $1
         AND (message_id IN (SELECT value FROM json_each($4))
              OR (message_id, sequence) IN (SELECT m.value, s.value FROM json_each($2) AS m JOIN json_each($3) AS s ON s.key = m.key))`,
      `UPDATE ${p}idempotence AS i SET status = 'completed', completed_at = $5, purge_after = c.purge_after, flush_owner = NULL, flush_until = NULL
       FROM (SELECT m.value AS id, a.value AS purge_after FROM json_each($4) AS m JOIN json_each($6) AS a ON a.key = m.key) AS c
       WHERE i.inbox_uri = $1 AND i.message_id = c.id AND i.status <> 'completed'`,
    ],
  };
}
