import { ReceivedMessageState } from '../received-message-state.js';

/** A message taken from the deferred queue; `dueAt` is set when it was put back because it is not due yet. */
export class DeferredMessageState extends ReceivedMessageState {
  dueAt = 0;
}
