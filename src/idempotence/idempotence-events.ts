import { EventEmitter } from 'node:events';

/**
 * What an idempotence store did that no single message shows, for telemetry: group commit's batches and
 * retention's purges. A store emits them on one emitter shared by the services it creates (an endpoint's
 * batches carry its inbox URI; a purge covers every endpoint of the store).
 */
export interface IdempotenceEventMap {
  /** A group-commit transaction committed `size` messages' work; its COMMIT took `commitSeconds`. */
  batchCommitted: [inboxWorkQueueUri: string, size: number, commitSeconds: number];
  /** A retention pass removed `rows` completed rows. */
  rowsPurged: [rows: number];
}

export class IdempotenceEvents extends EventEmitter<IdempotenceEventMap> {}

/** What an endpoint's stored sends look like now: how many are owed, and since when the oldest is. */
export interface PendingSends {
  /** Stored sends (one per recipient) committed and not yet dispatched. */
  readonly count: number;
  /** When the oldest message still owing sends was claimed (epoch ms); null when none is owed. */
  readonly oldestClaimedAt: number | null;
}
