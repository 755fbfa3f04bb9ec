import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import { isReadyMessageQueue } from '../../transport/queue.js';
import type { ReceivedMessageState } from '../received-message-state.js';

/** Takes the next message from the loop's own queue object; an empty queue ends the pipeline (the loop idles). */
export class GetWorkMessageObserver implements IPipelineObserver<ReceivedMessageState, 'onGetMessage'> {
  readonly event = 'onGetMessage';

  // Not async: a message the transport already holds (IReadyMessageQueue) costs no promise and no microtask.
  execute(state: ReceivedMessageState): Promise<void> | undefined {
    const queue = state.queue;
    if (isReadyMessageQueue(queue)) {
      const ready = queue.takeReady();
      if (ready !== null) {
        state.received = ready;
        return;
      }
    }
    return this.wait(state);
  }

  private async wait(state: ReceivedMessageState): Promise<void> {
    state.received = await state.queue.getMessage();
    if (state.received === null) state.aborted = true;
  }
}
