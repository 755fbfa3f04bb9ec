import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { ISerializer } from '../../serialization/serializer.js';
import type { OutgoingMessageState } from './outgoing-message-state.js';

/** Serializes the message body once, whatever the number of recipients. */
export class SerializeMessageObserver implements IPipelineObserver<OutgoingMessageState, 'onSerializeMessage'> {
  readonly event = 'onSerializeMessage';

  constructor(private readonly serializer: ISerializer) {}

  execute(state: OutgoingMessageState): void {
    state.transportMessage.message = this.serializer.serialize(state.message);
  }
}
