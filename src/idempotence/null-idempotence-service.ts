import { BusStateError } from '../errors/errors.js';
import { type DeferredMessage, type IIdempotenceService, ProcessingStatus } from './idempotence-service.js';
import type { IUnitOfWork } from './unit-of-work.js';

/**
 * Idempotence off: no unit of work is opened (`enabled` is false, so the pipeline never calls in here
 * for a message) and sends are dispatched at once. Calls that would need a store fail loudly.
 */
export class NullIdempotenceService implements IIdempotenceService {
  readonly enabled = false;

  constructor(readonly inboxWorkQueueUri: string) {}

  beginUnitOfWork(): Promise<IUnitOfWork> {
    return Promise.reject(new BusStateError('idempotence is off for this endpoint: there is no unit of work'));
  }
  async processingStatus(): Promise<ProcessingStatus> {
    return ProcessingStatus.Assigned;
  }
  addDeferredMessage(): Promise<void> {
    return Promise.reject(new BusStateError('idempotence is off: sends are dispatched at once, never stored'));
  }
  async messageHandled(): Promise<void> {}
  async getDeferredMessages(): Promise<readonly DeferredMessage[]> {
    return [];
  }
  async deferredMessageSent(): Promise<void> {}
  async processingCompleted(): Promise<void> {}
  async releaseFlush(): Promise<void> {}
  async isHandled(): Promise<boolean> {
    return false;
  }
}
