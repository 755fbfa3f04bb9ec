import { randomUUID } from 'node:crypto';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { messageIdProblem } from '../../envelope/wire-format.js';
import { ConfigurationError } from '../../errors/errors.js';
import { toEpochMs } from '../../handling/send-options.js';
import type { MessageTypeRegistry } from '../../messages/message-type-registry.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/**
 * Fixes the envelope, messageId included, before anything is stored or sent: a stored send that is
 * flushed twice goes out twice under one id, so the receiver drops the second. Inside a handler,
 * causation (messageReceivedId), correlationId, headers and principal flow from the handled message.
 */
export class AssembleMessageObserver implements IPipelineObserver<OutgoingMessageState, 'onAssembleMessage'> {
  readonly event = 'onAssembleMessage';

  constructor(
    private readonly types: MessageTypeRegistry,
    private readonly inboxWorkQueueUri: string,
    private readonly clock: () => number,
  ) {}

  execute(state: OutgoingMessageState): void {
    const { options, received } = state;
    const tm: TransportMessage = {
      messageId: options.messageId === undefined ? randomUUID() : chosenMessageId(options.messageId),
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

/** A caller's messageId, refused when a store could not key it (it would never be handled). */
function chosenMessageId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw new ConfigurationError('messageId', `must be a non-empty string (got ${JSON.stringify(id)})`);
  const problem = messageIdProblem(id);
  if (problem) throw new ConfigurationError('messageId', problem, { hint: 'use an id of at most 200 printable characters' });
  return id;
}
