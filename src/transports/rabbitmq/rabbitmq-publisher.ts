import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { BrokerUnavailableError, PublishRejectedError } from './rabbitmq-errors.js';

/** What the broker said about one publish. */
export type PublishOutcome = 'confirmed' | 'unroutable';

/** The confirm channel of one connection generation, and the mandatory publishes the broker returned on it. */
interface ConfirmLane {
  readonly channel: ConfirmChannel;
  readonly generation: number;
  /** routingKey + messageId → returns not yet matched with their confirm. */
  readonly returned: Map<string, number>;
  /** Set when the broker closed the channel for a reason of its own (406, 404): not worth a retry. */
  brokerError: Error | null;
}

const returnKey = (queue: string, messageId: string | undefined): string => `${queue}\u0000${messageId ?? ''}`;

/**
 * Publishes over one confirm channel per connection generation (opened on first use). Invariants:
 * - `publish` resolves only with the broker's answer: 'confirmed' (stored; persistent messages on a
 *   durable queue are on disk) or 'unroutable' (mandatory publish returned: the queue does not exist —
 *   without `mandatory` the default exchange would drop it and still confirm);
 * - a nack rejects with PublishRejectedError; a channel or connection lost before the answer rejects
 *   with BrokerUnavailableError (the broker may or may not have the message: the caller still owns it);
 * - no answer by `deadline` (a broker blocked by a resource alarm) rejects the same way.
 * The broker sends basic.return before the basic.ack of the same message, so a return is counted before
 * its confirm is seen.
 */
export class RabbitMqPublisher {
  private lane: ConfirmLane | null = null;
  private opening: Promise<ConfirmLane> | null = null;

  constructor(private readonly connection: RabbitMqConnection) {}

  /**
   * Publishes to `queue` through the default exchange — or, with `exchange`, to that exchange (`queue` is
   * then the routing key). To a queue, `options` must carry `mandatory: true`, or an unroutable message is
   * confirmed as if stored; a fanout exchange with no queue bound confirms it too: nobody listens.
   */
  async publish(queue: string, content: Buffer, options: Options.Publish, deadline: number, queueUri: string, exchange = ''): Promise<PublishOutcome> {
    const lane = await this.open(deadline);
    let timer: NodeJS.Timeout | undefined;
    const lost = (cause: unknown) =>
      new BrokerUnavailableError('lost', `the channel closed before the broker confirmed the message: ${String(cause)}`, { queueUri, messageId: options.messageId, cause });
    try {
      return await new Promise<PublishOutcome>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new BrokerUnavailableError('timeout', `no confirm from ${this.connection.safeUrl} in time`, { queueUri, messageId: options.messageId })),
          Math.max(0, deadline - Date.now()),
        );
        try {
          lane.channel.publish(exchange, queue, content, options, (error: unknown) => {
            if (!error) return resolve(this.takeReturn(lane, queue, options.messageId) ? 'unroutable' : 'confirmed');
            if (String(error).includes('nacked')) {
              return reject(new PublishRejectedError(`the broker refused the message (nack)`, { queueUri, messageId: options.messageId, cause: error, nacked: true }));
            }
            if (lane.brokerError) {
              return reject(new PublishRejectedError(`the broker closed the channel: ${lane.brokerError.message}`, { queueUri, messageId: options.messageId, cause: lane.brokerError }));
            }
            reject(lost(error));
          });
        } catch (error) {
          // amqplib throws IllegalOperationError at once when the channel has already closed: worth
          // another attempt on the next channel. Anything else it throws here (a frame it cannot encode)
          // fails the same way every time, so it must not pass for a lost channel and be retried forever.
          if ((error as Error)?.name === 'IllegalOperationError') reject(lost(error));
          else reject(new PublishRejectedError(`the message could not be encoded for AMQP: ${String(error)}`, { queueUri, messageId: options.messageId, cause: error }));
        }
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Drops the confirm channel: the next publish opens a new one. On RabbitMQ 3.10 a channel that a quorum
   * queue nacked while it had no leader goes on nacking every publish to that queue after a leader was
   * elected (measured: 20 s and more, while a new channel is confirmed within 0.5 s of the kill). Publishes
   * in flight on it fail as lost and are published again.
   */
  renew(): void {
    const lane = this.lane;
    this.lane = null;
    lane?.channel.close().catch(() => undefined);
  }

  private takeReturn(lane: ConfirmLane, queue: string, messageId: string | undefined): boolean {
    const key = returnKey(queue, messageId);
    const n = lane.returned.get(key) ?? 0;
    if (n === 0) return false;
    if (n === 1) lane.returned.delete(key);
    else lane.returned.set(key, n - 1);
    return true;
  }

  private async open(deadline: number): Promise<ConfirmLane> {
    const live = await this.connection.get(deadline);
    if (this.lane?.generation === live.generation) return this.lane;
    this.opening ??= (async () => {
      const channel = await live.model.createConfirmChannel().catch((cause: unknown) => {
        throw new BrokerUnavailableError('lost', `cannot open a channel on ${this.connection.safeUrl}: ${String(cause)}`, { cause });
      });
      const lane: ConfirmLane = { channel, generation: live.generation, returned: new Map(), brokerError: null };
      channel.on('error', (error: Error) => (lane.brokerError = error));
      channel.on('close', () => {
        if (this.lane === lane) this.lane = null;
      });
      channel.on('return', (message: Message) => {
        const key = returnKey(message.fields.routingKey, message.properties.messageId as string | undefined);
        lane.returned.set(key, (lane.returned.get(key) ?? 0) + 1);
      });
      this.lane = lane;
      return lane;
    })().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }
}
