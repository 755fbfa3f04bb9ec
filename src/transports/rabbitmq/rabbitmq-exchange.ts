import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import type { ICreateQueue, IQueue, ReceivedMessage } from '../../transport/queue.js';
import { BackOff } from './back-off.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { BrokerUnavailableError, PublishRejectedError } from './rabbitmq-errors.js';
import type { RabbitMqPublisher } from './rabbitmq-publisher.js';
import { publishOptions } from './rabbitmq-queue.js';
import { ensureExchange, forgetExchange } from './rabbitmq-topology.js';
import type { RabbitMqAddress } from './rabbitmq-uri.js';

const RESEND_FIRST_MS = 50;
const RESEND_MAX_MS = 1000;
/** The broker's reply code when the exchange is gone (deleted behind our back). */
const NOT_FOUND = 404;

/**
 * The exchange of one message type, opened from an exchange URI (`…/oncebus.<type>?exchange=true`, what
 * RabbitMqSubscriptions answers for a type): a publish-only "queue". `enqueue` declares the durable fanout
 * exchange once per connection generation and publishes a persistent message to it, resolving on the
 * broker's confirm — given once every bound queue has it. No queue bound is not an error: nobody listens.
 * A connection lost before the confirm is retried (same messageId) until `outageTimeoutMs`, as a queue's send.
 */
export class RabbitMqExchange implements IQueue, ICreateQueue {
  constructor(
    readonly uri: string,
    private readonly address: RabbitMqAddress,
    private readonly connection: RabbitMqConnection,
    private readonly publisher: RabbitMqPublisher,
  ) {}

  async enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
    const deadline = Date.now() + this.connection.outageTimeoutMs;
    const content = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    // Not mandatory: an exchange nobody is bound to drops the message, and that is what publishing means.
    const options = { ...publishOptions(message), mandatory: false };
    const exchange = this.address.queue;
    const backOff = new BackOff(RESEND_FIRST_MS, RESEND_MAX_MS);
    let redeclared = false;
    for (;;) {
      try {
        await ensureExchange(this.connection, exchange, this.uri, deadline);
        await this.publisher.publish('', content, options, deadline, this.uri, exchange);
        return;
      } catch (error) {
        // The exchange was deleted since it was declared (the broker closed the channel, 404): once more.
        if (error instanceof PublishRejectedError && !redeclared && (error.cause as { code?: unknown })?.code === NOT_FOUND) {
          forgetExchange(this.connection, exchange);
          redeclared = true;
          continue;
        }
        const lost = error instanceof BrokerUnavailableError && error.reason === 'lost';
        if (!lost || Date.now() + RESEND_FIRST_MS >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(backOff.delay(), deadline - Date.now())));
      }
    }
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    throw this.publishOnly();
  }

  async acknowledge(): Promise<void> {
    throw this.publishOnly();
  }

  async release(): Promise<void> {
    throw this.publishOnly();
  }

  async close(): Promise<void> {}

  async create(): Promise<void> {
    await ensureExchange(this.connection, this.address.queue, this.uri, Date.now() + this.connection.outageTimeoutMs);
  }

  private publishOnly(): TransportError {
    return new TransportError(`'${this.address.address}' is an exchange: it can be published to, not received from`, {
      queueUri: this.uri,
      hint: 'receive from a queue bound to it (subscribe the endpoint to the message type)',
    });
  }
}
