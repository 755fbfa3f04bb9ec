import type { Options } from 'amqplib';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import type { ICountQueue, ICreateQueue, IDropQueue, IPurgeQueue, IQueue, IReadyMessageQueue, ISharedReceiverQueue, ReceivedMessage } from '../../transport/queue.js';
import { BackOff } from './back-off.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { RabbitMqConsumer } from './rabbitmq-consumer.js';
import { BrokerUnavailableError, PublishRejectedError } from './rabbitmq-errors.js';
import type { RabbitMqPublisher } from './rabbitmq-publisher.js';
import { ensureQueue, forgetQueue } from './rabbitmq-topology.js';
import type { RabbitMqAddress, RabbitMqQueueType } from './rabbitmq-uri.js';

/** How long getMessage waits for a delivery before answering null: cheap idle loops, prompt stops. */
const WAIT_MS = 100;
const SETTLED: Promise<void> = Promise.resolve();
/** Pause between send attempts across a reconnect, so a channel that keeps dying is not hammered. */
const RESEND_FIRST_MS = 50;
const RESEND_MAX_MS = 1000;

/**
 * One RabbitMQ queue. Receiving goes through a consumer of its own (prefetch, local buffer, resumes by
 * itself); sending through the connection's confirm channel. Invariants:
 * - `enqueue` resolves only on the broker's confirm of a persistent, mandatory publish to the declared
 *   queue. A connection lost before the confirm means the broker may or may not have the message: it is
 *   published again (same messageId — at-least-once) until confirmed or until `outageTimeoutMs` has
 *   passed, then BrokerUnavailableError. A nack is PublishRejectedError — on a quorum queue only once
 *   nacks went on until `outageTimeoutMs` (it nacks while it has no leader). Nothing resolves unconfirmed.
 * - The queue is declared before the first send on each connection generation: after a broker restart a
 *   non-durable queue is gone, and the default exchange would drop (and still confirm) a send to it.
 */
export class RabbitMqQueue implements IQueue, ICreateQueue, IPurgeQueue, IDropQueue, ICountQueue, ISharedReceiverQueue, IReadyMessageQueue {
  /** The endpoint's receive loops share this object: one consumer, one prefetch window (see rabbitmq.md). */
  readonly sharedByReceiveLoops = true as const;
  private consumer: RabbitMqConsumer | null = null;
  private closed = false;

  constructor(
    readonly uri: string,
    private readonly address: RabbitMqAddress,
    private readonly connection: RabbitMqConnection,
    private readonly publisher: RabbitMqPublisher,
  ) {}

  async enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
    const deadline = Date.now() + this.connection.outageTimeoutMs;
    const content = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const options = publishOptions(message, this.address.queueType);
    const backOff = new BackOff(RESEND_FIRST_MS, RESEND_MAX_MS);
    let returned = 0;
    for (;;) {
      try {
        await ensureQueue(this.connection, this.address, this.uri, deadline);
        const outcome = await this.publisher.publish(this.address.queue, content, options, deadline, this.uri);
        if (outcome === 'confirmed') return;
        // Returned unroutable: the queue was deleted behind our back. Declare it again, once.
        forgetQueue(this.connection, this.address);
        if (++returned > 1) {
          throw new PublishRejectedError(`queue '${this.address.queue}' does not exist (the message was returned unroutable)`, {
            queueUri: this.uri,
            messageId: message.messageId,
          });
        }
      } catch (error) {
        // Only a connection or channel lost under the send is worth another attempt (the next get() waits
        // for the reconnect), and only before the deadline; a broker never reached fails at once. A quorum
        // queue nacks while it elects a leader (its node died): the message may even be stored, so it is
        // published again, same messageId, as after a lost confirm.
        const lost = error instanceof BrokerUnavailableError && error.reason === 'lost';
        const leaderless = error instanceof PublishRejectedError && error.nacked && this.address.queueType === 'quorum';
        if ((!lost && !leaderless) || Date.now() + RESEND_FIRST_MS >= deadline) throw error;
        // The channel that saw the queue leaderless keeps nacking it (RabbitMQ 3.10): publish on a new one.
        if (leaderless) this.publisher.renew();
        await new Promise((resolve) => setTimeout(resolve, Math.min(backOff.delay(), deadline - Date.now())));
      }
    }
  }

  takeReady(): ReceivedMessage | null {
    if (this.closed || !this.consumer) return null;
    return this.consumer.takeReady() ?? null;
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    if (this.closed) throw new TransportError('the queue is closed', { queueUri: this.uri });
    this.consumer ??= new RabbitMqConsumer(this.connection, this.address, this.uri);
    return this.consumer.take(WAIT_MS);
  }

  // Not async: settling is synchronous (the ack goes out with the turn's batch), so one shared settled
  // promise answers every success instead of a new one per message.
  acknowledge(token: unknown): Promise<void> {
    try {
      this.settling().settle(token, 'ack');
    } catch (error) {
      return Promise.reject(error);
    }
    return SETTLED;
  }

  async release(token: unknown): Promise<void> {
    this.settling().settle(token, 'requeue');
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.consumer?.close();
  }

  async create(): Promise<void> {
    await ensureQueue(this.connection, this.address, this.uri, Date.now() + this.connection.outageTimeoutMs);
  }

  async purge(): Promise<void> {
    await this.connection.withChannel((channel) => channel.purgeQueue(this.address.queue));
  }

  async drop(): Promise<void> {
    await this.connection.withChannel((channel) => channel.deleteQueue(this.address.queue));
    forgetQueue(this.connection, this.address);
  }

  /** Ready messages plus those buffered here; RabbitMQ does not report unacknowledged ones in this count. */
  async count(): Promise<number> {
    const { messageCount } = await this.connection.withChannel((channel) => channel.checkQueue(this.address.queue));
    return messageCount + (this.consumer?.buffered ?? 0);
  }

  private settling(): RabbitMqConsumer {
    if (!this.consumer) throw new TransportError('acknowledge/release before any getMessage on this queue', { queueUri: this.uri });
    return this.consumer;
  }
}

/** AMQP short strings (message-id, correlation-id, type) hold at most 255 bytes of UTF-8. */
const SHORTSTR_BYTES = 255;
const shortString = (value: string): string | undefined => (value && Buffer.byteLength(value) <= SHORTSTR_BYTES ? value : undefined);

/**
 * AMQP properties from the envelope: persistent and mandatory always; id, type, priority and correlation
 * when set. They are copies for the broker's tools: the envelope in the body carries every field, so a
 * value too long for an AMQP short string (a messageId of 200 characters can be 800 bytes) is left out
 * here rather than failing the send. No per-message TTL (`expiration`): the broker would drop an expired
 * message even when its unit of work had committed and its stored sends were still owed; the bus checks
 * expiry itself, after asking the idempotence store. No priority to a quorum queue, which ignores it.
 */
export function publishOptions(message: TransportMessage, queueType: RabbitMqQueueType = 'classic'): Options.Publish {
  const options: Options.Publish = {
    persistent: true,
    // Returned by the broker when no queue takes it, instead of dropped (see RabbitMqPublisher).
    mandatory: true,
    contentType: 'application/json',
  };
  const messageId = shortString(message.messageId);
  if (messageId) options.messageId = messageId;
  const type = shortString(message.messageType);
  if (type) options.type = type;
  // A quorum queue (RabbitMQ 3.x) has no priorities: the message is delivered in order, its envelope
  // keeps the priority (docs/rabbitmq.md). Not sent, so the broker's tools show no priority it ignores.
  if (message.priority > 0 && queueType === 'classic') options.priority = Math.min(Math.round(message.priority), 255);
  const correlationId = shortString(message.correlationId);
  if (correlationId) options.correlationId = correlationId;
  return options;
}
