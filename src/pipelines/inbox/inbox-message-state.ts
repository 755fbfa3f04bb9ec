import type { FailureHandling } from '../../handling/message-handler.js';
import { ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { MessageClass } from '../../messages/message-type.js';
import { ReceivedMessageState, type WithEnvelope } from '../received-message-state.js';

/**
 * The one object allocated per inbound message: every observer of the inbox pipeline reads and writes
 * these named fields. Invariant: `transportMessage.message` is never changed; decryption and
 * decompression work on `body`, so a retry or error-queue copy carries the bytes exactly as received.
 */
export class InboxMessageState extends ReceivedMessageState {
  /** The body on its way from wire bytes to the serialized message (decrypted, decompressed). */
  body: Uint8Array | null = null;
  messageClass: MessageClass | null = null;
  message: object | null = null;
  status: ProcessingStatus = ProcessingStatus.Assigned;
  /** The idempotence check ran and `status` is its answer (with idempotence off it stays false). */
  idempotenceChecked = false;
  unitOfWork: IUnitOfWork | null = null;
  /** The unit of work committed: from here on a failure leaves the message's flush to a redelivered copy. */
  committed = false;
  /** Set by the handler context; read when the handler throws. */
  failureHandling: FailureHandling = 'retry';
  /** Found 'handled' while another copy flushed its sends: this copy waited behind it (telemetry's 'waited'). */
  waitedForCopy = false;
  /** The error the handler threw (as opposed to one from the infrastructure around it). */
  handlerError: unknown = undefined;
  /** What the failure handling did with the message (null until it ran): for extensions that report it. */
  failureAction: FailureAction | null = null;
}

/** Where a failed message went: a retry copy (the attempt it was), the error queue (why), or back to its queue. */
export type FailureAction =
  | { readonly action: 'retried'; readonly attempt: number }
  | { readonly action: 'error-queue'; readonly reason: string }
  | { readonly action: 'released' };

/** The inbox state once the envelope is read (from onAfterDeserializeTransportMessage on). */
export type InboxRead = WithEnvelope<InboxMessageState>;
/** Once the body is being decoded: onDecryptMessage has set it (decompression replaces it). */
export type InboxDecoding = InboxRead & { body: Uint8Array };
/** Once the body is the message (from onAfterDeserializeMessage on). */
export type InboxDecoded = InboxDecoding & { readonly message: object; readonly messageClass: MessageClass };
