// Operations on failed messages (oncebus/operations): ingest error queues into an operations store, list and
// group what failed, return or delete it.
export { ErrorIngestor, type IngestReport } from './error-ingestor.js';
export {
  type FailedMessage,
  type FailedMessageDetail,
  type FailedMessageQuery,
  type FailedMessageStatus,
  type FailedMessageSummary,
  FailedMessageStore,
  type FailureGroup,
  type FailureGroupPage,
  type IngestOutcome,
} from './failed-message-store.js';
export { UNREADABLE_BYTES_TYPE } from './failed-message-record.js';
export { type FailureSignature, failureSignature, normaliseFailureMessage, type ParsedFailure, parseFailureLine } from './failure-signature.js';
export { QueueRegistry } from '../../transport/queue-registry.js';
export { openOperationsStore, openStore, openTransports, type Transports } from '../openers/registry.js';
export type { OpenedOperationsStore, OpenedStore, OpenOptions } from '../openers/opened.js';
export { type ActionReport, deleteFailedMessages, type ReturnOptions, resumeReturns, returnFailedMessages } from './return-failed-messages.js';
