import type { Channel, ConsumeMessage } from 'amqplib';
import { TransportError } from '../../errors/errors.js';
import { OncebusError } from '../../errors/oncebus-error.js';
import { BackOff } from './back-off.js';
import { AckBatch } from './rabbitmq-ack-batch.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { DeliveryAlreadySettledError, StaleDeliveryError } from './rabbitmq-errors.js';
import { assertQueue } from './rabbitmq-topology.js';
import type { RabbitMqAddress } from './rabbitmq-uri.js';
import type { ReceivedMessage } from '../../transport/queue.js';

/**
 * What getMessage hands out: the delivery and the consumer channel generation it came on. It is the
 * ReceivedMessage itself (its own token), so taking a message allocates one object, not two.
 */
export class RabbitMqDelivery implements ReceivedMessage {
  settled = false;
  readonly body: Buffer;
  constructor(
    readonly owner: RabbitMqConsumer,
    readonly generation: number,
    readonly message: ConsumeMessage,
  ) {
    this.body = message.content;
  }

  get token(): RabbitMqDelivery {
    return this;
  }
}

interface LiveChannel {
  readonly channel: Channel;
  readonly generation: number;
  readonly acks: AckBatch;
}

/** A failed start is retried after this back-off (a queue mismatch may be fixed by an operator meanwhile). */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5000;

/**
 * One basic.consume with `prefetch` on a channel of its own, feeding a small local buffer. Invariants:
 * - the buffer holds at most `prefetch` deliveries, all of the live channel: when a channel dies its
 *   buffered deliveries are dropped (the broker redelivers them) and no token of it is ever settled on
 *   a later channel — a delivery tag is per channel, and a wrong one would close the new channel;
 * - a token is settled at most once; the second attempt rejects without touching the channel;
 * - the consumer restarts by itself: on every new connection generation (the `setup` callback: prefetch,
 *   declare, consume) and, after a channel-only failure, on the next take once the back-off has passed;
 * - `take` never waits for a connection: it waits at most `waitMs` for a delivery, so a stop is prompt.
 */
export class RabbitMqConsumer {
  private live: LiveChannel | null = null;
  private generation = 0;
  private buffer: RabbitMqDelivery[] = [];
  private waiters: (() => void)[] = [];
  private starting: Promise<void> | null = null;
  /** Why the last start failed; reported by take() when it has nothing else to give. */
  private failure: unknown = null;
  private notBefore = 0;
  private readonly backOff = new BackOff(RETRY_FIRST_MS, RETRY_MAX_MS);
  private closed = false;
  private readonly onConnected = () => this.start();
  /** The newest channel's acks, known before `live` is set (deliveries may arrive before consume returns). */
  private newestAcks: AckBatch | null = null;

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly address: RabbitMqAddress,
    private readonly queueUri: string,
  ) {
    connection.on('connected', this.onConnected);
  }

  /** A buffered delivery without waiting (no promise); undefined when none is buffered or the queue is closed. */
  takeReady(): RabbitMqDelivery | undefined {
    if (this.closed || this.buffer.length === 0) return undefined;
    if (!this.live && Date.now() >= this.notBefore) this.start();
    return this.buffer.shift();
  }

  async take(waitMs: number): Promise<RabbitMqDelivery | null> {
    if (this.closed) throw new TransportError('the queue is closed', { queueUri: this.queueUri });
    if (!this.live && Date.now() >= this.notBefore) this.start();
    if (this.buffer.length === 0) await this.waitForDelivery(waitMs);
    const delivery = this.buffer.shift();
    if (delivery) return delivery;
    const failure = this.failure;
    if (failure && !this.live) {
      this.failure = null; // reported once per failed start
      throw failure;
    }
    return null;
  }

  settle(token: unknown, how: 'ack' | 'requeue'): void {
    if (!(token instanceof RabbitMqDelivery) || token.owner !== this) {
      throw new TransportError('acknowledge/release of a token this queue did not hand out', { queueUri: this.queueUri });
    }
    const messageId = token.message.properties.messageId as string | undefined;
    if (token.settled) throw new DeliveryAlreadySettledError({ queueUri: this.queueUri, messageId });
    token.settled = true;
    const live = this.live;
    if (!live || live.generation !== token.generation) throw new StaleDeliveryError({ queueUri: this.queueUri, messageId });
    try {
      if (how === 'ack') live.acks.ack(token.message);
      else live.acks.requeue(token.message);
    } catch {
      // The channel closed a moment ago and amqplib refused the frame: the broker redelivers.
      throw new StaleDeliveryError({ queueUri: this.queueUri, messageId });
    }
  }

  /** Deliveries buffered here and not yet handed out (counted as in flight). */
  get buffered(): number {
    return this.buffer.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection.off('connected', this.onConnected);
    this.buffer = [];
    for (const wake of this.waiters.splice(0)) wake();
    const live = this.live;
    this.live = null;
    live?.acks.flush(); // what the bus acknowledged goes out before the channel closes
    // Closing the channel returns its unacknowledged deliveries to the queue.
    await live?.channel.close().catch(() => undefined);
    // A start still waiting for the connection closes its channel itself when it sees `closed`.
  }

  /** Starts a consumer unless one is live or starting; failures are kept for take() to report. */
  private start(): void {
    if (this.closed || this.live || this.starting !== null) return;
    this.starting = this.open()
      .then(
        () => {
          this.failure = null;
          this.backOff.reset();
        },
        (error: unknown) => {
          this.failure = OncebusError.is(error)
            ? error
            : new TransportError(`cannot start consuming: ${String(error)}`, { queueUri: this.queueUri, cause: error });
          this.notBefore = Date.now() + this.backOff.delay();
        },
      )
      .finally(() => {
        this.starting = null;
      });
  }

  private async open(): Promise<void> {
    // Bounded by the connection's own attempts or outage timeout; take() does not wait for it.
    const { model } = await this.connection.get();
    const channel = await model.createChannel();
    const generation = ++this.generation;
    const acks = new AckBatch(channel);
    this.newestAcks = acks;
    channel.on('error', (error: unknown) => {
      this.failure = new TransportError(`the broker closed the consumer channel: ${String(error)}`, { queueUri: this.queueUri, cause: error });
    });
    channel.on('close', () => {
      acks.discard();
      this.lost(generation);
    });
    try {
      await channel.prefetch(this.address.prefetch);
      await assertQueue(channel, this.address, this.queueUri);
      await channel.consume(this.address.queue, (message) => this.deliver(generation, message), { noAck: false });
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await channel.close().catch(() => undefined);
      return;
    }
    this.live = { channel, generation, acks };
  }

  private deliver(generation: number, message: ConsumeMessage | null): void {
    // Only the newest channel delivers into the buffer (its deliveries may arrive before `live` is set).
    if (this.closed || generation !== this.generation) return;
    if (!message) {
      // The broker cancelled the consumer (queue deleted): close the channel, start again after a pause.
      const live = this.live;
      if (live?.generation === generation) live.channel.close().catch(() => undefined);
      return;
    }
    this.newestAcks?.delivered(message); // only the newest generation gets here
    this.buffer.push(new RabbitMqDelivery(this, generation, message));
    this.waiters.shift()?.();
  }

  private lost(generation: number): void {
    if (this.live?.generation === generation) this.live = null;
    this.buffer = this.buffer.filter((d) => d.generation !== generation);
    if (!this.closed) this.notBefore = Date.now() + this.backOff.delay();
  }

  private waitForDelivery(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      }, ms);
      this.waiters.push(wake);
    });
  }
}
