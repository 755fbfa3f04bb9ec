import { TransportError } from '../errors/errors.js';
import { HeldDeliveries } from './held-deliveries.js';
import { ACKNOWLEDGEMENT_RECORDED, type ReceivedMessage } from './queue.js';

/** Messages a transport took at once (rows locked in one transaction), ended together. */
export interface TakenBatch<R extends { readonly body: Uint8Array }> {
  readonly rows: readonly R[];
  /** Removes the acknowledged rows for good and lets the others go back (one commit); throws when it could not. */
  end(acknowledged: readonly R[]): Promise<void>;
}

/** How a transport takes up to `limit` messages at once; null when none is ready. */
export interface BatchSource<R extends { readonly body: Uint8Array }> {
  take(limit: number): Promise<TakenBatch<R> | null>;
}

interface Batch<R extends { readonly body: Uint8Array }> {
  readonly taken: TakenBatch<R>;
  /** Taken, not handed out yet (a released one comes back here, to be handed out again). */
  readonly waiting: R[];
  /** Handed out and not settled. */
  outstanding: number;
  readonly acknowledged: R[];
  /** Called once its end has committed (acknowledgeThen): an acknowledgement is durable only then. */
  readonly onDurable: (() => void)[];
  /** Its end has begun: its deliveries are stale. */
  ended: boolean;
}

interface Held<R extends { readonly body: Uint8Array }> {
  readonly batch: Batch<R>;
  readonly row: R;
  settled: boolean;
}

/** Batches open at once (a connection each, in SQL): the next is taken while stragglers of the last finish. */
export const MAX_OPEN_BATCHES = 3;

/**
 * Deliveries taken in batches and handed to every receive loop of an endpoint (one consumer, like a
 * broker's prefetch). A batch ends — its acknowledged messages removed, the rest returned, in one step —
 * when its last message is settled, or when the queue closes. Until then nothing of it is settled for
 * good: a crash returns the whole batch, acknowledged messages too, and idempotence makes their copies
 * no-ops. A released message is handed out again from this batch (a broker's requeue).
 */
export class BatchedDeliveries<R extends { readonly body: Uint8Array }> {
  private readonly held = new HeldDeliveries<Held<R>>();
  private readonly batches: Batch<R>[] = [];
  private taking: Promise<Batch<R> | null> | null = null;
  private closed = false;

  constructor(
    private readonly uri: string,
    private readonly source: BatchSource<R>,
    private readonly batchSize: number,
  ) {}

  /** A message of a batch already taken, handed out at once; null when none is waiting (then getMessage takes one). */
  takeReady(): ReceivedMessage | null {
    if (this.closed) return null;
    const ready = this.batches.find((b) => b.waiting.length > 0);
    return ready ? this.handOut(ready) : null;
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    for (;;) {
      if (this.closed) return null;
      const ready = this.batches.find((b) => b.waiting.length > 0);
      if (ready) return this.handOut(ready);
      if (this.batches.length >= MAX_OPEN_BATCHES && !this.taking) return null; // stragglers hold every batch open
      // One take at a time: the loops that find nothing waiting wait for it, then hand out what it took.
      this.taking ??= this.take().finally(() => (this.taking = null));
      if ((await this.taking) === null) return null;
    }
  }

  /**
   * Recorded in its batch; the last settle of a batch ends it, and hears whether that worked. `durable` is
   * called when the batch's end has committed (not when it failed: the message comes again).
   */
  acknowledge(token: unknown, durable?: () => void): Promise<void> {
    let held: Held<R>;
    try {
      held = this.settle(token);
    } catch (error) {
      return Promise.reject(error);
    }
    held.batch.acknowledged.push(held.row);
    if (durable) held.batch.onDurable.push(durable);
    if (held.batch.outstanding === 0 && held.batch.waiting.length === 0) return this.end(held.batch);
    return ACKNOWLEDGEMENT_RECORDED; // only recorded in its batch (the batch's end is another acknowledgement's)
  }

  async release(token: unknown): Promise<void> {
    const held = this.settle(token);
    held.batch.waiting.unshift(held.row);
  }

  /** Ends every batch: what was acknowledged is removed, the rest goes back. */
  async close(): Promise<void> {
    this.closed = true;
    await this.taking?.catch(() => undefined);
    for (const batch of [...this.batches]) await this.end(batch).catch(() => undefined);
  }

  private async take(): Promise<Batch<R> | null> {
    const taken = await this.source.take(this.batchSize);
    if (!taken) return null;
    const batch: Batch<R> = { taken, waiting: [...taken.rows], outstanding: 0, acknowledged: [], onDurable: [], ended: false };
    this.batches.push(batch);
    if (this.closed) await this.end(batch); // closed while taking: give it all back
    return batch;
  }

  private handOut(batch: Batch<R>): ReceivedMessage {
    const row = batch.waiting.shift()!;
    batch.outstanding++;
    return { body: row.body, token: this.held.add({ batch, row, settled: false }) };
  }

  private settle(token: unknown): Held<R> {
    const held = this.held.settle(token, this.uri);
    if (held.batch.ended) {
      throw new TransportError('the batch this message came in has ended (the queue closed); the message is delivered again', { queueUri: this.uri });
    }
    held.batch.outstanding--;
    return held;
  }

  private async end(batch: Batch<R>): Promise<void> {
    if (batch.ended) return;
    batch.ended = true;
    this.batches.splice(this.batches.indexOf(batch), 1);
    try {
      await batch.taken.end(batch.acknowledged);
    } catch (error) {
      // Nothing of the batch was removed: every message of it is delivered again (idempotence skips the done ones).
      throw new TransportError(`acknowledging a batch of ${batch.acknowledged.length} failed; its messages will be redelivered: ${String(error)}`, {
        queueUri: this.uri,
        cause: error,
      });
    }
    for (const durable of batch.onDurable) {
      try {
        durable();
      } catch {
        // A callback's failure is not the batch's: it committed, and every other callback still runs.
      }
    }
  }
}
