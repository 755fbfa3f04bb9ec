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
 * The idempotence contract of DESIGN.md. One service serves one endpoint: it keys every row by that
 * endpoint's inbox work queue URI and the messageId, so endpoints sharing a store never see each other's
 * rows. Sequence for one inbound message:
 *   uow = beginUnitOfWork(); processingStatus(tm, uow)
 *   Assigned  → handler (addDeferredMessage per send, in order) → messageHandled(tm, uow) → uow.commit()
 *   then (Assigned or MessageHandled) → getDeferredMessages → dispatch each → deferredMessageSent
 *   → processingCompleted(tm) → acknowledge.
 * A concurrent copy's processingStatus waits while another open unit of work holds the claim.
 */
export interface IIdempotenceService {
  /** The inbox work queue URI this service keys rows by. */
  readonly inboxWorkQueueUri: string;
  /** False for the null service: the pipeline then dispatches sends at once and opens no transaction. */
  readonly enabled: boolean;
  beginUnitOfWork(): Promise<IUnitOfWork>;
  processingStatus(tm: TransportMessage, uow: IUnitOfWork): Promise<ProcessingStatus>;
  addDeferredMessage(received: TransportMessage, outgoing: TransportMessage, body: Uint8Array, uow: IUnitOfWork): Promise<void>;
  /** Marks the claim 'handled' in `uow` (sends are owed) and takes the flush lease for this copy. */
  messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void>;
  /**
   * The stored sends of `received` not yet dispatched, in send order, with the flush lease held by this
   * copy: waits while another copy holds it, and resolves to none when that copy completed the message
   * meanwhile. Runs outside any unit of work. `onWaiting` hears that another copy held the lease (this copy
   * waits behind it: telemetry's 'waited' outcome).
   */
  getDeferredMessages(received: TransportMessage, onWaiting?: () => void): Promise<readonly DeferredMessage[]>;
  /** Deletes that one stored send (by its sequence): it is on the wire. */
  deferredMessageSent(received: TransportMessage, deferred: DeferredMessage): Promise<void>;
  /** Marks the message 'completed' (nothing owed) and ends the flush lease. */
  processingCompleted(tm: TransportMessage): Promise<void>;
  /**
   * Whether the message's unit of work committed and its sends are still owed (a committed 'handled'
   * row). Read outside any unit of work, by the checks that run before the claim (expiry), so they never
   * drop a message whose committed work still has to go out.
   */
  isHandled(tm: TransportMessage): Promise<boolean>;
  /** Gives up the flush lease this copy holds (its flush failed), so a redelivered copy need not wait it out. */
  releaseFlush(tm: TransportMessage): Promise<void>;
  /**
   * True when this copy's unit of work has just committed the message's row 'completed' (it stored no
   * sends): getDeferredMessages would find none and processingCompleted would change nothing, so the
   * pipeline skips both. Optional, answered from memory (group commit knows it from its batch).
   */
  owesNothing?(received: TransportMessage): boolean;
  /**
   * How long completed rows of a message type are kept (ms); undefined = forever. A message of that type
   * older than this (by sendDate) may have had its row removed, so the pipeline reports it instead of
   * running it again.
   */
  retentionWindowFor?(messageType: string): number | undefined;
  /** Store-wide happenings for telemetry (group-commit batches, retention purges), where the store has them. */
  readonly events?: IdempotenceEvents;
  /** The stored sends this endpoint owes now (telemetry, operations); read outside any unit of work. */
  pendingSends?(): Promise<PendingSends>;
  /**
   * Creates the schema, starts retention; called by bus.start() with the number of messages the endpoint
   * handles at once (its receive loops), which a pooled store reserves connections for.
   */
  start?(context?: { readonly concurrency: number }): Promise<void>;
  stop?(): Promise<void>;
}
