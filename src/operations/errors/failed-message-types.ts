// What the operations store holds and answers, as the tools read it.
import type { TransportMessage } from '../../envelope/transport-message.js';

/** unresolved → (return) returning → returned; unresolved → (delete) archived; a new failure → unresolved. */
export type FailedMessageStatus = 'unresolved' | 'returning' | 'returned' | 'archived';

/** One failed message as ingested from an error queue (one per messageId and source queue). */
export interface FailedMessage {
  readonly id: string;
  readonly messageId: string;
  readonly sourceQueue: string;
  readonly errorQueue: string;
  readonly messageType: string;
  readonly exceptionType: string;
  /** The last failure, as the endpoint recorded it. */
  readonly failureMessage: string;
  readonly groupId: string;
  readonly groupTitle: string;
  readonly status: FailedMessageStatus;
  /**
   * How many attempts failed: one per failure line in its error-queue copies, each counted once (two copies
   * sharing lines), across returns (a returned message's failures start anew and are added).
   */
  readonly timesFailed: number;
  /** When the first and the last attempt failed, from the failure lines (not when it was ingested). */
  readonly firstFailedAt: number;
  readonly lastFailedAt: number;
  /** Who returned or deleted it, and when. */
  readonly statusBy: string | null;
  readonly statusAt: number | null;
}

/** A failed message without its bytes: its fields, what operators did, the bytes' size and hash. */
export interface FailedMessageSummary extends FailedMessage {
  readonly rawBytes: number;
  /** sha256 of the bytes, hex: it changes when the message fails again with other bytes. */
  readonly rawHash: string;
  readonly ignoreRetention: boolean;
  readonly actions: readonly { readonly action: string; readonly by: string; readonly at: number }[];
}

/** Everything known of one failed message: its envelope byte-exact, every attempt, the operators' actions. */
export interface FailedMessageDetail extends FailedMessage {
  readonly raw: Uint8Array;
  /** The envelope read from `raw`; null when the bytes are not one. */
  readonly envelope: TransportMessage | null;
  /** Every failure line the endpoint recorded, oldest first. */
  readonly failures: readonly string[];
  readonly stack: string | null;
  readonly ignoreRetention: boolean;
  readonly actions: readonly { readonly action: string; readonly by: string; readonly at: number }[];
}

/** Failed messages with one signature: one message type, one exception type, one normalised message. */
export interface FailureGroup {
  readonly id: string;
  readonly title: string;
  readonly messageType: string;
  readonly exceptionType: string;
  readonly count: number;
  readonly firstFailedAt: number;
  readonly lastFailedAt: number;
}

export interface FailedMessageQuery {
  /** Default 'unresolved'. */
  readonly status?: FailedMessageStatus | 'all';
  readonly groupId?: string;
  /** Matched, case-insensitively, against messageId, message type, exception type and failure message. */
  readonly search?: string;
  readonly offset?: number;
  /** Default 50, at most 500. */
  readonly limit?: number;
}

/** What ingesting one error-queue delivery did. */
export type IngestOutcome = 'new' | 'failed-again' | 'already-ingested';

/** A failed_messages row as the drivers give it (numbers may come back as strings). */
export type FailedMessageRow = {
  id: string;
  message_id: string;
  source_queue: string;
  error_queue: string;
  message_type: string;
  exception_type: string;
  failure_message: string;
  group_id: string;
  group_title: string;
  status: FailedMessageStatus;
  times_failed: number | string;
  first_failed_at: number | string;
  last_failed_at: number | string;
  status_by: string | null;
  status_at: number | string | null;
};

export const FAILED_MESSAGE_COLUMNS =
  'id, message_id, source_queue, error_queue, message_type, exception_type, failure_message, group_id, group_title, status, times_failed, first_failed_at, last_failed_at, status_by, status_at';

/** One page of failure groups, the largest first, and how many groups and messages there are in all. */
export interface FailureGroupPage {
  readonly total: number;
  readonly messages: number;
  readonly groups: readonly FailureGroup[];
}

export function toFailedMessage(r: FailedMessageRow): FailedMessage {
  return {
    id: r.id,
    messageId: r.message_id,
    sourceQueue: r.source_queue,
    errorQueue: r.error_queue,
    messageType: r.message_type,
    exceptionType: r.exception_type,
    failureMessage: r.failure_message,
    groupId: r.group_id,
    groupTitle: r.group_title,
    status: r.status,
    timesFailed: Number(r.times_failed),
    firstFailedAt: Number(r.first_failed_at),
    lastFailedAt: Number(r.last_failed_at),
    statusBy: r.status_by,
    statusAt: r.status_at === null ? null : Number(r.status_at),
  };
}
