import type { TransportMessage } from '../envelope/transport-message.js';
import type { IdempotenceEvents, PendingSends } from './idempotence-events.js';
import type { IUnitOfWork } from './unit-of-work.js';

/**
 * What `processingStatus` found for (inbox, messageId):
 * - Assigned: no row; a claim row is now held by this unit of work; run the handler.
 * - MessageHandled: a committed `handled` row; skip the handler, flush what is still stored.
 * - Ignore: a committed `completed` row; acknowledge and do nothing else.
 */
export enum ProcessingStatus {
  Assigned = 'Assigned',
  MessageHandled = 'MessageHandled',
  Ignore = 'Ignore',
}

/**
 * An outgoing message stored while its handler ran, waiting to be dispatched after commit: one per
 * recipient (a publish to three subscribers is three, all with one messageId), each settled on its own.
 */
export interface DeferredMessage {
  readonly messageId: string;
  readonly recipientUri: string;
  /** Its place in send order: with (inbox, received messageId) the key of this one stored row. */
  readonly sequence: number;
  /** The serialized outgoing envelope, final messageId included. */
  readonly body: Uint8Array;
}

/**
 * The unit of work's part, inside one transaction: open it, claim the message, store each send its handler
 * makes, mark the message handled. Then the caller commits the unit of work.
 */
export interface IIdempotenceClaim {
  beginUnitOfWork(): Promise<IUnitOfWork>;
  /** The same, at once, where beginning takes no round trip (a group-commit member); optional. */
  openUnitOfWork?(): IUnitOfWork;
  processingStatus(tm: TransportMessage, uow: IUnitOfWork): Promise<ProcessingStatus>;
  addDeferredMessage(received: TransportMessage, outgoing: TransportMessage, body: Uint8Array, uow: IUnitOfWork): Promise<void>;
  /** Marks the claim 'handled' in `uow` (sends are owed) and takes the flush lease for this copy. */
  messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void>;
}

/** After the commit, outside any transaction: the stored sends go out one by one, then the message completes. */
export interface IIdempotenceFlush {
  /**
   * The stored sends of `received` not yet dispatched, in send order, with the flush lease held by this
   * copy: waits while another copy holds it, and resolves to none when that copy completed the message
   * meanwhile. `onWaiting` hears that another copy held the lease (this copy waits behind it: telemetry's
   * 'waited' outcome).
   */
  getDeferredMessages(received: TransportMessage, onWaiting?: () => void): Promise<readonly DeferredMessage[]>;
  /** Deletes that one stored send (by its sequence): it is on the wire. */
  deferredMessageSent(received: TransportMessage, deferred: DeferredMessage): Promise<void>;
  /** Marks the message 'completed' (nothing owed) and ends the flush lease. */
  processingCompleted(tm: TransportMessage): Promise<void>;
  /** Gives up the flush lease this copy holds (its flush failed), so a redelivered copy need not wait it out. */
  releaseFlush(tm: TransportMessage): Promise<void>;
  /**
   * Whether the message's unit of work committed and its sends are still owed (a committed 'handled'
   * row). Read by the checks that run before the claim (expiry), so they never drop a message whose
   * committed work still has to go out.
   */
  isHandled(tm: TransportMessage): Promise<boolean>;
  /**
   * True when this copy's unit of work has just committed the message's row 'completed' (it stored no
   * sends): getDeferredMessages would find none and processingCompleted would change nothing, so the
   * pipeline skips both. Optional, answered from memory (group commit knows it from its batch).
   */
  owesNothing?(received: TransportMessage): boolean;
}

/** Off the message path: what operations and telemetry read of the store. */
export interface IIdempotenceAdmin {
  /** The stored sends this endpoint owes now; read outside any unit of work. */
  pendingSends(): Promise<PendingSends>;
  /** Store-wide happenings (group-commit batches, retention purges), where the store has them. */
  readonly events?: IdempotenceEvents;
}

/**
 * The idempotence contract, split by role: the unit of work (IIdempotenceClaim), the flush after it
 * (IIdempotenceFlush) and an optional admin part. One service serves one endpoint: it keys every record by
 * that endpoint's inbox address and the messageId (IdempotenceKeys), so endpoints sharing a store never see
 * each other's records. Sequence for one inbound message:
 *   uow = beginUnitOfWork(); processingStatus(tm, uow)
 *   Assigned  → handler (addDeferredMessage per send, in order) → messageHandled(tm, uow) → uow.commit()
 *   then (Assigned or MessageHandled) → getDeferredMessages → dispatch each → deferredMessageSent
 *   → processingCompleted(tm) → acknowledge.
 * A concurrent copy's processingStatus waits while another open unit of work holds the claim.
 */
export interface IIdempotenceService extends IIdempotenceClaim, IIdempotenceFlush {
  /** The endpoint this service keys records by: its inbox's address. */
  readonly inboxWorkQueueUri: string;
  /** False for the null service: the pipeline then dispatches sends at once and opens no transaction. */
  readonly enabled: boolean;
  /**
   * How long completed rows of a message type are kept (ms); undefined = forever. A message of that type
   * older than this (by sendDate) may have had its row removed, so the pipeline reports it instead of
   * running it again.
   */
  retentionWindowFor?(messageType: string): number | undefined;
  /** Operations' and telemetry's view of the store, where it offers one. */
  readonly admin?: IIdempotenceAdmin;
  /**
   * Creates the schema, starts retention; called by bus.start() with the number of messages the endpoint
   * handles at once (its receive loops), which a pooled store reserves connections for.
   */
  start?(context?: { readonly concurrency: number }): Promise<void>;
  stop?(): Promise<void>;
}
