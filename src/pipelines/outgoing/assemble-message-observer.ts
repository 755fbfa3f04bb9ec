import { randomUUID } from 'node:crypto';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { toEpochMs } from '../../handling/send-options.js';
import type { MessageTypeRegistry } from '../../messages/message-type-registry.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/**
 * Fixes the envelope, messageId included, before anything is stored or sent: a stored send that is
 * flushed twice goes out twice under one id, so the receiver drops the second. Inside a handler,
 * causation (messageReceivedId), correlationId, headers and principal flow from the handled message.
 */
export class AssembleMessageObserver implements IPipelineObserver<OutgoingMessageState> {
  readonly event = 'onAssembleMessage';

  constructor(
    private readonly types: MessageTypeRegistry,
    private readonly inboxWorkQueueUri: string,
    private readonly clock: () => number,
  ) {}

  execute(state: OutgoingMessageState): void {
    const { options, received } = state;
    const tm: TransportMessage = {
      messageId: randomUUID(),
      messageReceivedId: received ? received.messageId : '',
      correlationId: options.correlationId ?? received?.correlationId ?? '',
      senderInboxWorkQueueUri: this.inboxWorkQueueUri,
      recipientInboxWorkQueueUri: '',
      principalIdentityName: received?.principalIdentityName ?? '',
      ignoreTillDate: toEpochMs(options.deferUntil),
      expiryDate: toEpochMs(options.expiresAt),
      sendDate: this.clock(),
      priority: options.priority ?? 0,
      failureMessages: [],
      messageType: this.types.nameOfInstance(state.message),
      encryptionAlgorithm: '',
      compressionAlgorithm: '',
      headers: received || options.headers ? { ...received?.headers, ...options.headers } : {},
      message: EMPTY,
    };
    state.transportMessage = tm;
  }
}

const EMPTY = new Uint8Array(0);
