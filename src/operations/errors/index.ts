// Operations on failed messages (oncebus/operations): ingest error queues into an operations store, list and
// group what failed, return or delete it.
export { ErrorIngestor, type IngestReport } from './error-ingestor.js';
export {
  type FailedMessage,
  type FailedMessageDetail,
  type FailedMessageQuery,
  type FailedMessageStatus,
  FailedMessageStore,
  type FailureGroup,
  type IngestOutcome,
  UNREADABLE_BYTES_TYPE,
} from './failed-message-store.js';
export { type FailureSignature, failureSignature, normaliseFailureMessage, type ParsedFailure, parseFailureLine } from './failure-signature.js';
export { openOperationsStore } from './open-operations-store.js';
export { openTransports } from './open-transports.js';
export { QueueDirectory } from './queue-directory.js';
export { type ActionReport, deleteFailedMessages, type ReturnOptions, resumeReturns, returnFailedMessages } from './return-failed-messages.js';
