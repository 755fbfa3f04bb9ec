import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * Acknowledgements of one consumer channel, coalesced. An ack is sent at the end of the current turn of
 * the event loop, not at once: the acks gathered by then that cover every outstanding delivery from the
 * oldest on go out as ONE basic.ack with `multiple` (the broker settles all tags up to it); the others
 * (past a delivery still being handled, or released) go out one by one. So a delivery still in hand is
 * never acknowledged by another's multiple-ack, and no ack waits for a slow message.
 * Deferring an ack by one turn changes no guarantee: until the frame leaves, the broker redelivers on a
 * crash, exactly as if the process had died just before acknowledging.
 */
export class AckBatch {
  /** Deliveries handed out and not yet settled, in delivery-tag order (the broker numbers them upwards). */
  private readonly outstanding = new Map<number, ConsumeMessage>();
  /** Tags acknowledged by the bus, waiting for the end of the turn. */
  private readonly acked = new Set<number>();
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  delivered(message: ConsumeMessage): void {
    this.outstanding.set(message.fields.deliveryTag, message);
  }

  ack(message: ConsumeMessage): void {
    this.acked.add(message.fields.deliveryTag);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** A release goes out at once (requeued for another consumer); acks gathered so far go first. */
  requeue(message: ConsumeMessage): void {
    this.flush();
    this.outstanding.delete(message.fields.deliveryTag);
    this.channel.nack(message, false, true);
  }

  /** The channel is gone: the broker requeues whatever it never got an ack for. */
  discard(): void {
    this.outstanding.clear();
    this.acked.clear();
  }

  flush(): void {
    this.scheduled = false;
    if (this.acked.size === 0) return;
    let last: ConsumeMessage | null = null;
    for (const [tag, message] of this.outstanding) {
      if (!this.acked.has(tag)) break;
      last = message;
      this.acked.delete(tag);
      this.outstanding.delete(tag);
    }
    try {
      if (last) this.channel.ack(last, true);
      for (const tag of this.acked) {
        const message = this.outstanding.get(tag);
        this.outstanding.delete(tag);
        if (message) this.channel.ack(message);
      }
    } catch {
      // The channel closed under us: nothing acknowledged reached the broker, which redelivers.
    } finally {
      this.acked.clear();
    }
  }
}
