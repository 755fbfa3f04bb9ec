import { TransportError } from '../errors/errors.js';

/**
 * The deliveries a queue object has handed out and not settled. Settling checks that the token is one of
 * them and not settled yet (a second acknowledge must fail, never touch the transport twice), then forgets it.
 */
export class HeldDeliveries<T extends { settled: boolean }> {
  private readonly held = new Set<T>();

  add(delivery: T): T {
    this.held.add(delivery);
    return delivery;
  }

  /** The delivery behind `token`, now marked settled; a TransportError when this queue does not hold it. */
  settle(token: unknown, queueUri: string): T {
    const delivery = token as T;
    if (!this.held.has(delivery) || delivery.settled) {
      throw new TransportError('acknowledge/release of a message this queue does not hold (already settled?)', { queueUri });
    }
    delivery.settled = true;
    this.held.delete(delivery);
    return delivery;
  }

  /** Everything still held (to release on close). */
  all(): T[] {
    return [...this.held];
  }
}
