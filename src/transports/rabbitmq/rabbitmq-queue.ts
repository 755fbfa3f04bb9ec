import type { Channel, ConsumeMessage, Options } from 'amqplib';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import type { ICountQueue, ICreateQueue, IDropQueue, IPurgeQueue, IQueue, ReceivedMessage } from '../../transport/queue.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { BrokerUnavailableError, PublishRejectedError, QueueMismatchError, StaleDeliveryError } from './rabbitmq-errors.js';
import type { RabbitMqAddress } from './rabbitmq-uri.js';

/** A delivery and the channel it came on: only that channel, while alive, may settle it. */
interface Delivery {
  readonly message: ConsumeMessage;
  readonly channel: Channel;
  settled: boolean;
}

/** How long getMessage waits for a delivery before answering null (keeps stop() prompt). */
const WAIT_MS = 100;

/**
 * One RabbitMQ queue. Receiving: a consumer channel of its own with `prefetch`, deliveries buffered
 * locally; after a connection loss the consumer is re-created on the next getMessage, and deliveries of
 * the dead channel are dropped from the buffer (the broker redelivers them), never settled on the new
 * one. Sending: the connection's confirm channel; enqueue resolves only once the broker confirmed the
 * persistent message. Queues are declared (durable, x-max-priority) before first use on each connection,
 * so a send never goes to a queue that does not exist (the default exchange would drop it silently).
 */
export class RabbitMqQueue implements IQueue, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue {
  private consumer: Channel | null = null;
  private starting: Promise<Channel> | null = null;
  private buffer: Delivery[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly uri: string,
    private readonly address: RabbitMqAddress,
    private readonly connection: RabbitMqConnection,
  ) {}

  async enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
    const channel = await this.connection.confirmChannel();
    await this.declare(channel);
    const options: Options.Publish = {
      persistent: true,
      messageId: message.messageId,
      contentType: 'application/json',
      type: message.messageType,
    };
    if (message.priority > 0) options.priority = Math.min(message.priority, 255);
    if (message.correlationId) options.correlationId = message.correlationId;
    if (message.expiryDate > 0) options.expiration = String(Math.max(0, message.expiryDate - Date.now()));
    const content = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    await new Promise<void>((resolve, reject) => {
      channel.sendToQueue(this.address.queue, content, options, (error: unknown) => {
        if (!error) resolve();
        else if (String(error).includes('closed')) {
          reject(new BrokerUnavailableError(`the channel closed before the broker confirmed the message`, { queueUri: this.uri, cause: error }));
        } else reject(new PublishRejectedError(`the broker refused the message (nack)`, { queueUri: this.uri, cause: error }));
      });
    });
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    if (this.closed) throw new TransportError('queue is closed', { queueUri: this.uri });
    await this.consume();
    if (this.buffer.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, WAIT_MS);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
    const delivery = this.buffer.shift();
    return delivery ? { body: delivery.message.content, token: delivery } : null;
  }

  async acknowledge(token: unknown): Promise<void> {
    this.settle(token, (d) => d.channel.ack(d.message));
  }

  async release(token: unknown): Promise<void> {
    this.settle(token, (d) => d.channel.nack(d.message, false, true));
  }

  async close(): Promise<void> {
    this.closed = true;
    const channel = this.consumer;
    this.consumer = null;
    this.buffer = [];
    this.wake?.();
    // Closing the channel returns its unacknowledged deliveries to the queue.
    await channel?.close().catch(() => undefined);
  }

  async create(): Promise<void> {
    await this.declare(await this.connection.confirmChannel());
  }

  async purge(): Promise<void> {
    await (await this.connection.confirmChannel()).purgeQueue(this.address.queue);
  }

  async drop(): Promise<void> {
    await (await this.connection.confirmChannel()).deleteQueue(this.address.queue);
    for (const key of [...this.connection.declared]) if (key.startsWith(`${this.address.queue}\u0000`)) this.connection.declared.delete(key);
  }

  /** Ready messages only: RabbitMQ does not report another consumer's unacknowledged ones here. */
  async count(): Promise<number> {
    const model = await this.connection.get();
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(this.address.queue)).messageCount + this.buffer.length;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private settle(token: unknown, settle: (d: Delivery) => void): void {
    const d = token as Delivery;
    if (!d || typeof d !== 'object' || !('message' in d) || d.settled) {
      throw new TransportError('acknowledge/release of a message this queue does not hold (already settled?)', { queueUri: this.uri });
    }
    d.settled = true;
    const stale = () => new StaleDeliveryError('the channel this message came on has closed; the broker redelivers it', { queueUri: this.uri });
    if (d.channel !== this.consumer) throw stale();
    try {
      settle(d);
    } catch {
      // The channel died a moment ago and amqplib refused the frame: same outcome.
      throw stale();
    }
  }

  /** Starts (or restarts, after a loss) this queue's consumer. */
  private async consume(): Promise<void> {
    if (this.consumer) return;
    this.starting ??= (async () => {
      const model = await this.connection.get();
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.consumer !== channel) return;
        this.consumer = null;
        this.buffer = this.buffer.filter((d) => d.channel !== channel);
      });
      try {
        await channel.prefetch(this.address.prefetch);
        await this.declare(channel);
        await channel.consume(this.address.queue, (message) => {
          if (!message) {
            // Cancelled by the broker (queue deleted): consume again next time.
            if (this.consumer === channel) this.consumer = null;
            return;
          }
          this.buffer.push({ message, channel, settled: false });
          this.wake?.();
        });
      } catch (error) {
        await channel.close().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        await channel.close().catch(() => undefined);
        throw new TransportError('queue is closed', { queueUri: this.uri });
      }
      this.consumer = channel;
      return channel;
    })().finally(() => {
      this.starting = null;
    });
    await this.starting;
  }

  private async declare(channel: Channel): Promise<void> {
    const { queue, durable, maxPriority } = this.address;
    // Keyed by the arguments too: a URI asking for other arguments must reach the broker and hear "no".
    const key = `${queue}\u0000${durable}\u0000${maxPriority}`;
    if (this.connection.declared.has(key)) return;
    const options: Options.AssertQueue = { durable };
    if (maxPriority > 0) options.arguments = { 'x-max-priority': maxPriority };
    try {
      await channel.assertQueue(queue, options);
    } catch (error) {
      const text = (error as Error).message ?? String(error);
      if ((error as { code?: number }).code === 406 || text.includes('PRECONDITION_FAILED')) {
        throw new QueueMismatchError(`queue '${queue}' exists with other arguments: ${text}`, { queueUri: this.uri, cause: error });
      }
      throw new BrokerUnavailableError(`declaring queue '${queue}' failed: ${text}`, { queueUri: this.uri, cause: error });
    }
    this.connection.declared.add(key);
  }
}
