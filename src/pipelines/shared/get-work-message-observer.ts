import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { ReceivedMessageState } from '../received-message-state.js';

/** Takes the next message from the loop's own queue object; an empty queue ends the pipeline (the loop idles). */
export class GetWorkMessageObserver implements IPipelineObserver<ReceivedMessageState, 'onGetMessage'> {
  readonly event = 'onGetMessage';

  async execute(state: ReceivedMessageState): Promise<void> {
    state.received = await state.queue.getMessage();
    if (state.received === null) state.aborted = true;
  }
}
