import { randomUUID } from 'node:crypto';
import { EXCEPTION_STACK_HEADER } from '../../envelope/oncebus-headers.js';
import { ConfigurationError, StoreError } from '../../errors/errors.js';
import { inTransaction, migrate, type SqlDatabase, sqlIdentifier } from '../../stores/sql/operations.js';
import { describeFailedMessage, type FailedMessageFields, rawHash, readEnvelope, storableText, unreadableFields } from './failed-message-record.js';
import { type OpsSchema, opsSchema } from './failed-message-schema.js';
import { type FailureHistory, failureHistory, joinHashes, splitHashes } from './failure-history.js';
import {
  FAILED_MESSAGE_COLUMNS as COLUMNS,
  type FailedMessage,
  type FailedMessageDetail,
  type FailedMessageQuery,
  type FailedMessageRow as Row,
  type FailedMessageStatus,
  type FailureGroup,
  type FailedMessageSummary,
  type FailureGroupPage,
  type IngestOutcome,
  toFailedMessage,
} from './failed-message-types.js';

export type {
  FailedMessage,
  FailedMessageDetail,
  FailedMessageQuery,
  FailedMessageStatus,
  FailedMessageSummary,
  FailureGroup,
  FailureGroupPage,
  IngestOutcome,
} from './failed-message-types.js';

/**
 * The operations store (ServiceControl's design): failed messages ingested from error queues, grouped by
 * failure signature, and what operators did with them. Ingestion is keyed by messageId and source queue,
 * and a copy is merged by its failure lines (failure-history.ts), so a delivery ingested twice (a crash
 * before its acknowledgement) or a second copy of the same failures is recorded once; a
 * return stores its intent before dispatching (see returnFailedMessages).
 */
export class FailedMessageStore {
  private readonly schema: OpsSchema;
  private migrated: Promise<number> | null = null;

  constructor(
    readonly database: SqlDatabase,
    /** SQLite: a table prefix (default 'oncebus_'); PostgreSQL: a schema (default 'oncebus_ops'). */
    namespace?: string,
  ) {
    if (database.dialect === 'mssql') throw new ConfigurationError('database', 'the operations store runs on SQLite or PostgreSQL, not SQL Server');
    // Pasted into every statement (a schema or a table prefix cannot be a parameter): a plain identifier only.
    const name = sqlIdentifier(namespace ?? (database.dialect === 'sqlite' ? 'oncebus_' : 'oncebus_ops'), 'schema');
    this.schema = opsSchema(database.dialect, name);
  }

  /** Creates or upgrades the tables (once per process). */
  ready(): Promise<number> {
    this.migrated ??= migrate(this.database, this.schema.versionTable, this.schema.createVersionTable, this.schema.migrations).catch((error: unknown) => {
      this.migrated = null;
      throw error;
    });
    return this.migrated;
  }

  /**
   * Records one error-queue delivery; call before acknowledging it, so a crash in between records it once.
   * A delivery whose fields the database refuses as they are (a data error: bytes its text cannot hold) is
   * recorded as unreadable bytes instead, whole: it never stays at the head of the error queue.
   */
  async ingest(raw: Uint8Array, errorQueue: string, now: number): Promise<IngestOutcome> {
    await this.ready();
    try {
      return await this.record(raw, describeFailedMessage(raw), storableText(errorQueue), now);
    } catch (error) {
      if (!isDataError(error)) throw error;
      const why = `its fields could not be stored as they are (${error instanceof Error ? error.message : String(error)})`;
      return this.record(raw, unreadableFields(raw, why), storableText(errorQueue), now);
    }
  }

  private async record(raw: Uint8Array, r: FailedMessageFields, errorQueue: string, now: number): Promise<IngestOutcome> {
    const history = failureHistory(r.failureLines, now);
    const hash = rawHash(raw);
    const inserted = await this.database.query<{ id: string }>(
      `INSERT INTO ${this.schema.messages} (id, message_id, source_queue, error_queue, message_type, exception_type, failure_message, group_id, group_title, status, times_failed, raw, raw_hash, first_failed_at, last_failed_at, failure_hashes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'unresolved', $10, $11, $12, $13, $14, $15)
       ON CONFLICT (message_id, source_queue) DO NOTHING
       RETURNING id`,
      [randomUUID(), r.messageId, r.sourceQueue, errorQueue, r.messageType, r.exceptionType, r.failureMessage, r.groupId, r.groupTitle, history.attempts, Buffer.from(raw), hash, history.firstFailedAt, history.lastFailedAt, joinHashes(history.hashes)],
    );
    if (inserted.length > 0) return 'new';
    // Recorded before: merged with what the record knows, by compare-and-set (a concurrent ingestor of
    // another copy makes this one read again).
    for (;;) {
      const [row] = await this.database.query<MergeRow>(
        `SELECT id, raw_hash, failure_hashes, first_failed_at, last_failed_at, status, status_at FROM ${this.schema.messages} WHERE message_id = $1 AND source_queue = $2`,
        [r.messageId, r.sourceQueue],
      );
      if (!row) throw new StoreError(`the failed message ${r.messageId} was recorded and is gone (purged meanwhile?): ingest again`);
      const merge = mergeCopy(row, hash, history);
      if (merge === null) return 'already-ingested';
      const latest = merge.latest
        ? `, error_queue = $9, message_type = $10, exception_type = $11, failure_message = $12, group_id = $13, group_title = $14, raw = $15, raw_hash = $16`
        : '';
      const reopen = merge.reopen ? `, status = 'unresolved', status_by = NULL, status_at = NULL, ignore_retention = 0` : '';
      const changed = await this.database.execute(
        `UPDATE ${this.schema.messages} SET times_failed = times_failed + $1, failure_hashes = $2, first_failed_at = $3, last_failed_at = $4${latest}${reopen}
         WHERE id = $5 AND raw_hash = $6 AND failure_hashes = $7 AND status = $8`,
        [
          merge.added,
          merge.hashes,
          merge.firstFailedAt,
          merge.lastFailedAt,
          row.id,
          row.raw_hash,
          row.failure_hashes,
          row.status,
          ...(merge.latest ? [errorQueue, r.messageType, r.exceptionType, r.failureMessage, r.groupId, r.groupTitle, Buffer.from(raw), hash] : []),
        ],
      );
      if (changed === 1) return 'failed-again';
    }
  }

  async list(query: FailedMessageQuery = {}): Promise<{ readonly total: number; readonly messages: readonly FailedMessage[] }> {
    await this.ready();
    const { where, params } = this.filter(query);
    const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 50)), 500);
    const offset = Math.max(0, Math.trunc(query.offset ?? 0));
    const [count] = await this.database.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${this.schema.messages} WHERE ${where}`, params);
    const rows = await this.database.query<Row>(
      `SELECT ${COLUMNS} FROM ${this.schema.messages} WHERE ${where} ORDER BY last_failed_at DESC, id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return { total: Number(count?.n ?? 0), messages: rows.map(toFailedMessage) };
  }

  /**
   * Groups by failure signature, the largest first; counts the messages of `status` (default 'unresolved').
   * Every group: a store with many failure groups is better read a page at a time (groupPage).
   */
  async groups(status: FailedMessageStatus | 'all' = 'unresolved'): Promise<FailureGroup[]> {
    await this.ready();
    return this.groupRows(status);
  }

  /** One page of groups (default 50, at most 500), the largest first, and how many groups and messages in all. */
  async groupPage(query: { readonly status?: FailedMessageStatus | 'all'; readonly offset?: number; readonly limit?: number } = {}): Promise<FailureGroupPage> {
    await this.ready();
    const status = query.status ?? 'unresolved';
    const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 50)), 500);
    const offset = Math.max(0, Math.trunc(query.offset ?? 0));
    const [totals] = await this.database.query<{ g: number | string; n: number | string }>(
      `SELECT count(DISTINCT group_id) AS g, count(*) AS n FROM ${this.schema.messages} WHERE ${status === 'all' ? '1 = 1' : 'status = $1'}`,
      status === 'all' ? [] : [status],
    );
    return { total: Number(totals?.g ?? 0), messages: Number(totals?.n ?? 0), groups: await this.groupRows(status, `LIMIT ${limit} OFFSET ${offset}`) };
  }

  /** One group (its messages of any status), or null. */
  async group(id: string): Promise<FailureGroup | null> {
    await this.ready();
    const [found] = await this.groupRows('all', '', storableText(id));
    return found ?? null;
  }

  private async groupRows(status: FailedMessageStatus | 'all', page = '', groupId?: string): Promise<FailureGroup[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (status !== 'all') clauses.push(`status = $${params.push(status)}`);
    if (groupId !== undefined) clauses.push(`group_id = $${params.push(groupId)}`);
    const rows = await this.database.query<{ group_id: string; group_title: string; message_type: string; exception_type: string; n: number | string; first: number | string; last: number | string }>(
      `SELECT group_id, min(group_title) AS group_title, min(message_type) AS message_type, min(exception_type) AS exception_type,
              count(*) AS n, min(first_failed_at) AS first, max(last_failed_at) AS last
       FROM ${this.schema.messages} WHERE ${clauses.join(' AND ') || '1 = 1'} GROUP BY group_id ORDER BY count(*) DESC, max(last_failed_at) DESC, group_id ${page}`,
      params,
    );
    return rows.map((g) => ({
      id: g.group_id,
      title: g.group_title,
      messageType: g.message_type,
      exceptionType: g.exception_type,
      count: Number(g.n),
      firstFailedAt: Number(g.first),
      lastFailedAt: Number(g.last),
    }));
  }

  /** One failed message by its record id, or by messageId (the first source queue's, when several). */
  async get(idOrMessageId: string): Promise<FailedMessageDetail | null> {
    const summary = await this.summary(idOrMessageId);
    const raw = summary === null ? null : await this.raw(summary.id);
    if (summary === null || raw === null) return null;
    const { rawBytes, rawHash, ...record } = summary;
    const envelope = readEnvelope(raw);
    return { ...record, raw, envelope, failures: envelope?.failureMessages ?? [], stack: envelope?.headers[EXCEPTION_STACK_HEADER] ?? null };
  }

  /**
   * A failed message without its bytes (what a view polls for: its bytes change only when it fails again,
   * which changes `rawHash`): its fields, the bytes' size and hash, and the operators' actions.
   */
  async summary(idOrMessageId: string): Promise<FailedMessageSummary | null> {
    await this.ready();
    const [row] = await this.database.query<Row & { raw_bytes: number | string; raw_hash: string; ignore_retention: number | string }>(
      `SELECT ${COLUMNS}, length(raw) AS raw_bytes, raw_hash, ignore_retention FROM ${this.schema.messages}
       WHERE id = $1 OR message_id = $1 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, source_queue LIMIT 1`,
      [storableText(idOrMessageId)],
    );
    if (!row) return null;
    const actions = await this.database.query<{ action: string; by_whom: string; at: number | string }>(
      `SELECT action, by_whom, at FROM ${this.schema.actions} WHERE record_id = $1 ORDER BY at`,
      [row.id],
    );
    return {
      ...toFailedMessage(row),
      rawBytes: Number(row.raw_bytes),
      rawHash: row.raw_hash,
      ignoreRetention: Number(row.ignore_retention) === 1,
      actions: actions.map((a) => ({ action: a.action, by: a.by_whom, at: Number(a.at) })),
    };
  }

  /** The bytes of the record `id`, as the error queue held them. */
  async raw(id: string): Promise<Uint8Array | null> {
    await this.ready();
    const [row] = await this.database.query<{ raw: Uint8Array }>(`SELECT raw FROM ${this.schema.messages} WHERE id = $1`, [id]);
    return row ? new Uint8Array(row.raw) : null;
  }

  /** Record ids of the unresolved messages in `selection` (all of them, a group's, or those named). */
  async unresolved(selection: { readonly ids?: readonly string[]; readonly groupId?: string; readonly all?: boolean }): Promise<string[]> {
    await this.ready();
    if (selection.all) return (await this.database.query<{ id: string }>(`SELECT id FROM ${this.schema.messages} WHERE status = 'unresolved' ORDER BY first_failed_at`)).map((r) => r.id);
    if (selection.groupId !== undefined) {
      return (await this.database.query<{ id: string }>(`SELECT id FROM ${this.schema.messages} WHERE status = 'unresolved' AND group_id = $1 ORDER BY first_failed_at`, [storableText(selection.groupId)])).map((r) => r.id);
    }
    const ids: string[] = [];
    for (const name of selection.ids ?? []) {
      const found = await this.get(name);
      if (found) ids.push(found.id);
    }
    return ids;
  }

  /** Moves an unresolved message to `status`, recording who and when; false when it was not unresolved. */
  async transition(id: string, status: 'returning' | 'archived', by: string, now: number, ignoreRetention = false): Promise<boolean> {
    await this.ready();
    return inTransaction(this.database, async (tx) => {
      const changed = await tx.execute(
        `UPDATE ${this.schema.messages} SET status = $1, status_by = $2, status_at = $3, ignore_retention = $4 WHERE id = $5 AND status = 'unresolved'`,
        [status, by, now, ignoreRetention ? 1 : 0, id],
      );
      if (changed === 1) await tx.execute(`INSERT INTO ${this.schema.actions} (record_id, action, by_whom, at) VALUES ($1, $2, $3, $4)`, [id, status === 'returning' ? 'return' : 'delete', by, now]);
      return changed === 1;
    });
  }

  /**
   * Takes the returns stored at or before `storedBefore` and not yet known to be dispatched (a returner died
   * mid-way, or is still at it): each taken by moving its status_at to `now` only if no one moved it since,
   * so of two resumers one dispatches it, and a live returner has until `storedBefore` to finish its own.
   */
  async takeReturning(storedBefore: number, now: number): Promise<FailedMessageDetail[]> {
    await this.ready();
    const rows = await this.database.query<{ id: string; status_at: number | string }>(
      `SELECT id, status_at FROM ${this.schema.messages} WHERE status = 'returning' AND status_at <= $1 ORDER BY status_at`,
      [storedBefore],
    );
    const found: FailedMessageDetail[] = [];
    for (const row of rows) {
      const taken = await this.database.execute(`UPDATE ${this.schema.messages} SET status_at = $1 WHERE id = $2 AND status = 'returning' AND status_at = $3`, [
        now,
        row.id,
        Number(row.status_at),
      ]);
      if (taken !== 1) continue;
      const detail = await this.get(row.id);
      if (detail?.status === 'returning') found.push(detail);
    }
    return found;
  }

  /** After the dispatch: returned (unless it failed again meanwhile, and is unresolved anew). */
  async markReturned(id: string, now: number): Promise<void> {
    await this.database.execute(`UPDATE ${this.schema.messages} SET status = 'returned', status_at = $1 WHERE id = $2 AND status = 'returning'`, [now, id]);
  }

  /** Deletes returned and archived records older than `before` (retention); resolves to how many. */
  async purge(before: number): Promise<number> {
    await this.ready();
    return inTransaction(this.database, async (tx) => {
      await tx.execute(`DELETE FROM ${this.schema.actions} WHERE record_id IN (SELECT id FROM ${this.schema.messages} WHERE status IN ('returned', 'archived') AND status_at < $1)`, [before]);
      return tx.execute(`DELETE FROM ${this.schema.messages} WHERE status IN ('returned', 'archived') AND status_at < $1`, [before]);
    });
  }

  private filter(query: FailedMessageQuery): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const status = query.status ?? 'unresolved';
    if (status !== 'all') {
      params.push(status);
      clauses.push(`status = $${params.length}`);
    }
    if (query.groupId !== undefined) {
      params.push(storableText(query.groupId));
      clauses.push(`group_id = $${params.length}`);
    }
    if (query.search) {
      params.push(`%${storableText(query.search.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      const p = `$${params.length}`;
      clauses.push(`(${['message_id', 'message_type', 'exception_type', 'failure_message'].map((c) => `lower(${c}) LIKE ${p} ESCAPE '\\'`).join(' OR ')})`);
    }
    return { where: clauses.length > 0 ? clauses.join(' AND ') : '1 = 1', params };
  }
}

type MergeRow = {
  id: string;
  raw_hash: string;
  failure_hashes: string;
  first_failed_at: number | string;
  last_failed_at: number | string;
  status: FailedMessageStatus;
  status_at: number | string | null;
};

/**
 * What another copy of a recorded message adds (null: nothing, it is a copy recorded already). Its
 * failures the record has not seen count as attempts; its bytes and fields become the record's when its
 * last failure is the latest; it reopens a returned or deleted record only with a failure after that
 * action (a late copy of failures from before a return is history, not a new failure).
 */
function mergeCopy(row: MergeRow, hash: string, copy: FailureHistory): { added: number; hashes: string; firstFailedAt: number; lastFailedAt: number; latest: boolean; reopen: boolean } | null {
  if (row.raw_hash === hash) return null;
  const known = splitHashes(row.failure_hashes);
  const seen = new Set(known);
  const fresh = copy.hashes.filter((h) => !seen.has(h));
  if (copy.hashes.length > 0 && fresh.length === 0) return null;
  // Lines past the hashes kept (a copy of more than MAX_HASHES lines) count as they come.
  const added = copy.hashes.length === 0 ? 1 : fresh.length + Math.max(0, copy.attempts - copy.hashes.length);
  const lastFailedAt = Number(row.last_failed_at);
  return {
    added,
    hashes: joinHashes([...known, ...fresh]),
    firstFailedAt: Math.min(Number(row.first_failed_at), copy.firstFailedAt),
    lastFailedAt: Math.max(lastFailedAt, copy.lastFailedAt),
    latest: copy.lastFailedAt >= lastFailedAt,
    reopen: row.status === 'unresolved' || row.status_at === null || copy.lastFailedAt > Number(row.status_at),
  };
}

/**
 * A database's refusal of a value (SQLSTATE class 22, a data exception: a NUL in PostgreSQL text; class 54,
 * a limit: an index row too large), as opposed to the database failing: the message's doing, not an outage.
 */
function isDataError(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}
