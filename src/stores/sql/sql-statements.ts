/**
 * The statements a dialect provides, by name. Each dialect file states what each one does; the
 * parameters are listed here once, in order. `schema` DDL is applied by migrations (append-only).
 */
export interface IdempotenceStatements {
  /** Claims (inbox, messageId, messageType) with status 'assigned'; touches 1 row, or 0 when a row exists (after waiting for an uncommitted one). */
  readonly claim: string;
  /** (inbox, messageId) → rows { status, flush_until } */
  readonly status: string;
  /** (inbox, messageId, sequence, outgoingMessageId, recipientUri, body) */
  readonly insertDeferred: string;
  /** (inbox, messageId, flushOwner, flushUntil) → status 'handled', the flush lease taken by flushOwner */
  readonly markHandled: string;
  /** (inbox, messageId) → rows { sequence, outgoing_message_id, recipient_uri, body } in sequence order */
  readonly selectDeferred: string;
  /** (inbox, messageId, sequence): one stored send, one recipient */
  readonly deleteDeferred: string;
  /** (inbox, messageId, completedAt, purgeAfter | null) → status 'completed', the flush lease ended */
  readonly markCompleted: string;
  /**
   * (inbox, messageId, flushOwner, now, flushUntil): takes the flush lease of a 'handled' row when nobody
   * holds it, its holder's lease has run out, or flushOwner holds it already; touches 1 row when taken.
   */
  readonly takeFlush: string;
  /** (inbox, messageId, flushOwner): ends the lease if flushOwner still holds it */
  readonly releaseFlush: string;
  /** (now, batch) → deletes at most `batch` completed rows whose purge_after has passed */
  readonly purgeCompleted: string;
  /** (inbox) → one row { n, oldest }: stored sends not yet dispatched, and the oldest owing row's created_at */
  readonly pendingSends: string;
  /**
   * (inbox, now, limit) → rows { message_id }: 'handled' rows whose flush lease has run out or was given
   * up, oldest first (the transactional sessions' sweeper)
   */
  readonly orphaned: string;
  /** () → rows { inbox_uri, status, n, oldest }: rows per endpoint and status, the oldest created_at of each (operations) */
  readonly statsByStatus: string;
  /** () → rows { inbox_uri, n }: stored sends per endpoint (operations) */
  readonly statsSends: string;
  /** (now) → rows { inbox_uri, n }: completed rows whose purge time has passed, per endpoint (retention backlog) */
  readonly statsPurgeable: string;
  /** (messageId) → rows { inbox_uri, status, message_type, created_at, completed_at, purge_after, flush_owner, flush_until } (operations) */
  readonly rowsOf: string;
  /** (messageId) → rows { inbox_uri, sequence, outgoing_message_id, recipient_uri } in order (operations) */
  readonly storedSendsOf: string;
}

/**
 * The set-based statements of group commit (one statement for many messages); a dialect without them
 * cannot group-commit. Arrays are parallel, one element per message.
 */
export interface GroupCommitStatements {
  /**
   * (inbox, messageIds[], messageTypes[], now, purgeAfters[]) → rows { message_id } of the claims inserted.
   * A claim is written as it will commit if its handler stores no sends: 'completed' (nothing is owed).
   * Waits on uncommitted rows like `claim`; claims in key order.
   */
  readonly claimMany: string;
  /** (inbox, messageIds[]) → rows { message_id, status } */
  readonly statusMany: string;
  /**
   * (inbox, messageIds[], sequences[], outgoingMessageIds[], recipientUris[], bodies[], owingMessageIds[],
   * flushOwners[], flushUntil): stores the batch's sends and marks the messages that stored any 'handled'
   * (sends are owed), each with the flush lease of its own copy; resolves to the number of messages marked.
   * Several statements (a dialect without writes in WITH) run in order in the batch's transaction, the last
   * one marking.
   * With `storeSendsPackedBodies` set, `bodies` is every send's body end to end in one byte string and two
   * more parameters follow flushUntil: bodyStarts[] and bodyLengths[] (1-based, as for enqueueMany).
   */
  readonly storeSendsMany: string | readonly string[];
  /** storeSendsMany takes the bodies packed in one byte string (see there) rather than as an array. */
  readonly storeSendsPackedBodies?: boolean;
  /** (inbox, messageId): removes one member's claim after its handler failed */
  readonly deleteClaim: string;
  /** (name) savepoint statements; `name` is generated, never user input */
  savepoint(name: string): string;
  rollbackToSavepoint(name: string): string;
  releaseSavepoint(name: string): string;
  /**
   * (inbox, sentMessageIds[], sentSequences[], completedMessageIds[], completedAt, purgeAfters[]):
   * deletes the stored sends reported sent (one row each, by sequence), and every stored send of a completed
   * message, and marks the completed messages 'completed' (their leases ended), in one statement (or
   * several, run in one transaction).
   */
  readonly completeMany: string | readonly string[];
}

export interface SubscriptionStatements {
  /** (messageType, inboxUri); a no-op when present */
  readonly subscribe: string;
  /** (messageType) → rows { inbox_uri } */
  readonly subscribers: string;
  /** () → rows { message_type, inbox_uri }, every subscription (for operators) */
  readonly all: string;
  /** (messageType, inboxUri): deletes that subscription */
  readonly unsubscribe: string;
}

export interface QueueStatements {
  /** The table's name as statements write it (schema-qualified or prefixed), for messages. */
  readonly table: string;
  readonly createTable: readonly string[];
  /** () → a row when the table exists (asked without creating it: a store that does not migrate) */
  readonly tableExists: string;
  /** (queueName): records that this table holds that queue, unless a name is recorded for it already */
  readonly claimTable: string;
  /** () → rows { queue_name }: the queue name recorded for this table */
  readonly tableOwner: string;
  /** (messageId, priority, dueAt, expiresAt, body) */
  readonly enqueue: string;
  /**
   * (messageIds[], priorities[], dueAts[], expiresAts[], bodies, bodyStarts[], bodyLengths[]): many rows in one
   * statement, in array order. `bodies` is every row's body end to end in one byte string; row i's body is
   * bodyLengths[i] bytes from position bodyStarts[i] (1-based, as SQL's substring counts).
   */
  readonly enqueueMany?: string;
  readonly purge: string;
  readonly drop: string;
  readonly count: string;
}
