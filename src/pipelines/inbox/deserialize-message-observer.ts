import { MessageDeserializationError, OncebusError } from '../../errors/errors.js';
import { materialize, type MessageTypeRegistry } from '../../messages/message-type-registry.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { ISerializer } from '../../serialization/serializer.js';
import type { InboxDecoding } from './inbox-message-state.js';

/** Turns the body into an instance of the registered class; an unknown type or bad body is a typed error. */
export class DeserializeMessageObserver implements IPipelineObserver<InboxDecoding, 'onDeserializeMessage'> {
  readonly event = 'onDeserializeMessage';

  constructor(
    private readonly types: MessageTypeRegistry,
    private readonly serializer: ISerializer,
  ) {}

  execute(state: InboxDecoding): void {
    const tm = state.transportMessage;
    const type = this.types.classOf(tm.messageType, tm.messageId);
    state.messageClass = type;
    try {
      state.message = materialize(type, this.serializer.deserialize(state.body));
    } catch (cause) {
      if (OncebusError.is(cause)) throw cause;
      throw new MessageDeserializationError(`body of '${tm.messageType}' could not be deserialized: ${String(cause)}`, {
        cause,
        messageId: tm.messageId,
      });
    }
  }
}
