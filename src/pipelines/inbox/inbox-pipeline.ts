import { type EventOf, PipelineBuilder, type StageDefinition } from '../../pipeline/pipeline.js';
import type { Taken } from '../received-message-state.js';
import type { InboxDecoded, InboxDecoding, InboxMessageState, InboxRead } from './inbox-message-state.js';

/**
 * The inbox message pipeline's events, in order. Fault-injection points and extensions name these.
 * Receive reverses send: the body was compressed, then encrypted, so it is decrypted, then decompressed.
 */
export const INBOX_STAGES = [
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
] as const satisfies readonly StageDefinition[];

export type InboxEvent = EventOf<typeof INBOX_STAGES>;

/** What each inbox event's steps may rely on: the fields its earlier events have set. */
export type InboxStates = { readonly [E in InboxEvent | 'onPipelineException' | 'onPipelineEnd']: InboxStateAt<E> };

/** The state the steps of inbox event `E` see. */
export type InboxStateAt<E extends string> = E extends 'onGetMessage' | 'onPipelineException' | 'onPipelineEnd'
  ? InboxMessageState
  : E extends 'onAfterGetMessage' | 'onDeserializeTransportMessage'
    ? Taken<InboxMessageState>
    : E extends 'onAfterDeserializeTransportMessage' | 'onCheckExpired' | 'onDeferMessage' | 'onDecryptMessage'
      ? InboxRead
      : E extends 'onDecompressMessage' | 'onDeserializeMessage'
        ? InboxDecoding
        : InboxDecoded;

export const createInboxPipelineBuilder = (): PipelineBuilder<InboxStates> => new PipelineBuilder('inbox', INBOX_STAGES);
