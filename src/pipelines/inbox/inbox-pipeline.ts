import { PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { InboxMessageState } from './inbox-message-state.js';

/**
 * The inbox message pipeline's events, in order. Fault-injection points and extensions name these.
 * Receive reverses send: the body was compressed, then encrypted, so it is decrypted, then decompressed.
 */
export const INBOX_STAGES: readonly StageDefinition[] = [
  { name: 'read', events: ['onGetMessage', 'onAfterGetMessage', 'onDeserializeTransportMessage', 'onAfterDeserializeTransportMessage'] },
  { name: 'filter', events: ['onCheckExpired', 'onDeferMessage'] },
  { name: 'decode', events: ['onDecryptMessage', 'onDecompressMessage', 'onDeserializeMessage', 'onAfterDeserializeMessage'] },
  {
    name: 'handle',
    events: [
      'onCheckIdempotence',
      'onBeforeHandleMessage',
      'onHandleMessage',
      'onAfterHandleMessage',
      'onCommitUnitOfWork',
      'onAfterCommitUnitOfWork',
      'onSendDeferred',
      'onAfterSendDeferred',
      'onProcessingCompleted',
    ],
  },
  { name: 'acknowledge', events: ['onAcknowledgeMessage', 'onAfterAcknowledgeMessage'] },
];

export const createInboxPipelineBuilder = (): PipelineBuilder<InboxMessageState> => new PipelineBuilder('inbox', INBOX_STAGES);
