/**
 * The statements a dialect provides, by name. Each dialect file states what each one does; the
 * parameters are listed here once, in order. `schema` DDL is applied by migrations (append-only).
 */
export interface IdempotenceStatements {
  /** Claims (inbox, messageId, messageType) with status 'assigned'; touches 1 row, or 0 when a row exists (after waiting for an uncommitted one). */
  readonly claim: string;
  /** (inbox, messageId) → rows { status } */
  readonly status: string;
  /** (inbox, messageId, sequence, outgoingMessageId, recipientUri, body) */
  readonly insertDeferred: string;
  /** (inbox, messageId) → status 'handled' */
  readonly markHandled: string;
  /** (inbox, messageId) → rows { outgoing_message_id, recipient_uri, body } in sequence order */
  readonly selectDeferred: string;
  /** (inbox, messageId, outgoingMessageId) */
  readonly deleteDeferred: string;
  /** (inbox, messageId, completedAt, purgeAfter | null) → status 'completed' */
  readonly markCompleted: string;
  /** (now, batch) → deletes at most `batch` completed rows whose purge_after has passed */
  readonly purgeCompleted: string;
}

export interface SubscriptionStatements {
  /** (messageType, inboxUri); a no-op when present */
  readonly subscribe: string;
  /** (messageType) → rows { inbox_uri } */
  readonly subscribers: string;
}

export interface QueueStatements {
  readonly createTable: readonly string[];
  /** (messageId, priority, dueAt, expiresAt, body) */
  readonly enqueue: string;
  readonly purge: string;
  readonly drop: string;
  readonly count: string;
}
