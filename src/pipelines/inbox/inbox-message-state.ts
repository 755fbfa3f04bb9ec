import type { FailureHandling } from '../../handling/message-handler.js';
import { ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { MessageClass } from '../../messages/message-type.js';
import { ReceivedMessageState } from '../received-message-state.js';

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
  unitOfWork: IUnitOfWork | null = null;
  /** The unit of work committed: from here on a failure leaves the message's flush to a redelivered copy. */
  committed = false;
  /** Set by the handler context; read when the handler throws. */
  failureHandling: FailureHandling = 'retry';
  /** Found 'handled' while another copy flushed its sends: this copy waited behind it (telemetry's 'waited'). */
  waitedForCopy = false;
  /** The error the handler threw (as opposed to one from the infrastructure around it). */
  handlerError: unknown = undefined;
}
