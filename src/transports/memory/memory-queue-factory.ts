import type { IQueue, IQueueFactory } from '../../transport/queue.js';
import { parseQueueUri } from '../../transport/queue-uri.js';
import { MemoryQueue, MemoryQueueState } from './memory-queue.js';

/**
 * memory://<name>. Queues with the same name share their messages through this broker object, so two
 * endpoints in one process talk when they share a MemoryBroker (bind one instance in the container).
 */
export class MemoryBroker implements IQueueFactory {
  readonly scheme = 'memory';
  private readonly queues = new Map<string, MemoryQueueState>();

  create(uri: string): IQueue {
    return new MemoryQueue(uri, this.stateOf(uri));
  }

  /** The names of every queue this broker holds, for tests and tools that look at them all. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /** The shared state of a queue, for tests that look inside it. */
  stateOf(uri: string): MemoryQueueState {
    const name = parseQueueUri(uri).host;
    let state = this.queues.get(name);
    if (!state) {
      state = new MemoryQueueState();
      this.queues.set(name, state);
    }
    return state;
  }
}
