import type { TransportMessage } from '../envelope/transport-message.js';
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

/** An outgoing message stored while its handler ran, waiting to be dispatched after commit. */
export interface DeferredMessage {
  readonly messageId: string;
  readonly recipientUri: string;
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
  messageHandled(tm: TransportMessage, uow: IUnitOfWork): Promise<void>;
  /** The stored sends of `received` not yet dispatched, in send order. Runs outside any unit of work. */
  getDeferredMessages(received: TransportMessage): Promise<readonly DeferredMessage[]>;
  deferredMessageSent(received: TransportMessage, outgoingMessageId: string): Promise<void>;
  processingCompleted(tm: TransportMessage): Promise<void>;
  /**
   * How long completed rows are kept (ms); undefined = forever. A message older than this (by sendDate)
   * may have had its row removed, so the pipeline reports it instead of running it again.
   */
  readonly retentionWindowMs?: number;
  /** Creates the schema, starts retention; called by bus.start(). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
