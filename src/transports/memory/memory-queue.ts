import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import type { ICountQueue, ICreateQueue, IDropQueue, IPurgeQueue, IQueue, ReceivedMessage } from '../../transport/queue.js';
import { PriorityFifo } from './priority-fifo.js';

/** One stored message. A token is the entry itself; `settled` guards against settling twice. */
export interface MemoryQueueEntry {
  readonly body: Uint8Array;
  readonly priority: number;
  taken: boolean;
  settled: boolean;
}

/** How long getMessage waits for an enqueue before answering null: short enough for a prompt stop(). */
const WAIT_MS = 100;

/**
 * An in-process queue for tests and the memory:// transport. Messages live in the MemoryBroker (shared
 * by every queue object with the same name), so a queue "survives" a bus restart inside one process.
 * Higher priority first, then FIFO. Taken-but-unsettled messages go back on `release` or `close`.
 */
export class MemoryQueueState {
  readonly ready = new PriorityFifo<MemoryQueueEntry>();
  readonly inFlight = new Set<MemoryQueueEntry>();
  private waiters: (() => void)[] = [];

  push(entry: MemoryQueueEntry, front = false): void {
    if (front) this.ready.unshift(entry);
    else this.ready.push(entry);
    const w = this.waiters;
    if (w.length > 0) {
      this.waiters = [];
      for (const wake of w) wake();
    }
  }

  waitForMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, ms);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
    });
  }
}

export class MemoryQueue implements IQueue, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue {
  private readonly mine = new Set<MemoryQueueEntry>();
  private closed = false;

  constructor(
    readonly uri: string,
    private readonly state: MemoryQueueState,
  ) {}

  async enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
    this.assertOpen();
    // Copy: the caller may reuse its buffer, and a real transport would not see later changes either.
    this.state.push({ body: Uint8Array.from(body), priority: message.priority, taken: false, settled: false });
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    this.assertOpen();
    if (this.state.ready.length === 0) await this.state.waitForMessage(WAIT_MS);
    if (this.closed) return null;
    const entry = this.state.ready.shift();
    if (!entry) return null;
    entry.taken = true;
    this.state.inFlight.add(entry);
    this.mine.add(entry);
    return { body: entry.body, token: entry };
  }

  async acknowledge(token: unknown): Promise<void> {
    this.settle(token).settled = true;
  }

  async release(token: unknown): Promise<void> {
    const entry = this.settle(token);
    entry.taken = false;
    this.state.push({ ...entry, taken: false, settled: false }, true);
    entry.settled = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // As a broker does for a closed channel: whatever this consumer held goes back to the queue.
    for (const entry of this.mine) {
      if (!entry.settled) {
        this.state.inFlight.delete(entry);
        entry.settled = true;
        this.state.push({ ...entry, taken: false, settled: false }, true);
      }
    }
    this.mine.clear();
  }

  async create(): Promise<void> {}

  async purge(): Promise<void> {
    this.state.ready.clear();
  }

  async drop(): Promise<void> {
    this.state.ready.clear();
    this.state.inFlight.clear();
  }

  async count(): Promise<number> {
    return this.state.ready.length + this.state.inFlight.size;
  }

  private settle(token: unknown): MemoryQueueEntry {
    const entry = token as MemoryQueueEntry;
    if (!this.mine.has(entry) || entry.settled) {
      throw new TransportError('acknowledge/release of a message this queue does not hold (already settled?)', {
        queueUri: this.uri,
      });
    }
    this.mine.delete(entry);
    this.state.inFlight.delete(entry);
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportError('queue is closed', { queueUri: this.uri });
  }
}
