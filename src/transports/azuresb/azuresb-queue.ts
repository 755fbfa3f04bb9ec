import type { ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSender } from '@azure/service-bus';
import type { TransportMessage } from '../../envelope/transport-message.js';
import { TransportError } from '../../errors/errors.js';
import { HeldDeliveries } from '../../transport/held-deliveries.js';
import type { ICreateQueue, IQueue, ISchedulingQueue, ReceivedMessage } from '../../transport/queue.js';
import { mapServiceBusError } from './azuresb-errors.js';
import type { IAzureServiceBusTopology } from './azuresb-topology.js';
import type { AzureServiceBusAddress } from './azuresb-uri.js';

interface Locked {
  readonly message: ServiceBusReceivedMessage;
  readonly receiver: ServiceBusReceiver;
  settled: boolean;
}

export interface AzureQueueSettings {
  /** How long a receive call waits for a message (ms). Short, so a stop is prompt. */
  readonly receiveWaitMs: number;
  /** The SDK renews locks of messages in hand up to this long (ms); 0 turns renewal off. */
  readonly maxAutoLockRenewalDurationInMs: number;
}

/**
 * One Azure Service Bus queue (or topic + subscription). Peek-lock receive; acknowledge = complete,
 * release = abandon; a future ignoreTillDate is sent as a scheduled message, so the service withholds it
 * and no deferred queue is needed. The body is the oncebus envelope (bytes, a data section); messageId,
 * correlationId, content type and subject (the message type) go in the AMQP properties. A receiver that
 * fails (the SDK's own retries exhausted) is closed and created anew on the next receive.
 */
export class AzureServiceBusQueue implements IQueue, ISchedulingQueue, ICreateQueue {
  readonly supportsScheduledDelivery = true as const;
  private receiver: ServiceBusReceiver | null = null;
  private sender: ServiceBusSender | null = null;
  private buffer: Locked[] = [];
  private readonly held = new HeldDeliveries<Locked>();
  private closed = false;

  constructor(
    readonly uri: string,
    private readonly address: AzureServiceBusAddress,
    private readonly client: ServiceBusClient,
    private readonly settings: AzureQueueSettings,
    private readonly topology: IAzureServiceBusTopology,
  ) {}

  async enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
    this.sender ??= this.client.createSender(this.address.sendTo);
    const out: ServiceBusMessage = {
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      messageId: message.messageId,
      contentType: 'application/json',
      subject: message.messageType,
    };
    if (message.correlationId) out.correlationId = message.correlationId;
    // No timeToLive: Service Bus would drop (or dead-letter) an expired message even when its unit of work
    // had committed and its stored sends were still owed; the bus checks expiry itself, after asking the
    // idempotence store.
    try {
      if (message.ignoreTillDate > Date.now()) await this.sender.scheduleMessages(out, new Date(message.ignoreTillDate));
      else await this.sender.sendMessages(out);
    } catch (error) {
      throw mapServiceBusError(error, `send to '${this.address.sendTo}' (connection '${this.address.connection}')`, this.uri);
    }
  }

  async getMessage(): Promise<ReceivedMessage | null> {
    if (this.closed) throw new TransportError('queue is closed', { queueUri: this.uri });
    if (this.buffer.length === 0) await this.fill();
    const locked = this.buffer.shift();
    return locked ? { body: bodyBytes(locked.message.body), token: this.held.add(locked) } : null;
  }

  async acknowledge(token: unknown): Promise<void> {
    const locked = this.held.settle(token, this.uri);
    try {
      await locked.receiver.completeMessage(locked.message);
    } catch (error) {
      throw mapServiceBusError(error, `complete ${locked.message.messageId}`, this.uri);
    }
  }

  async release(token: unknown): Promise<void> {
    const locked = this.held.settle(token, this.uri);
    try {
      await locked.receiver.abandonMessage(locked.message);
    } catch (error) {
      throw mapServiceBusError(error, `abandon ${locked.message.messageId}`, this.uri);
    }
  }

  /** Moves a message in hand to the dead-letter sub-queue with a reason (for users who handle failures there). */
  async deadLetter(token: unknown, reason: string, description: string): Promise<void> {
    const locked = this.held.settle(token, this.uri);
    try {
      await locked.receiver.deadLetterMessage(locked.message, { deadLetterReason: reason, deadLetterErrorDescription: description });
    } catch (error) {
      throw mapServiceBusError(error, `dead-letter ${locked.message.messageId}`, this.uri);
    }
  }

  async create(): Promise<void> {
    const { entity, subscription } = this.address.receiveFrom;
    if (subscription) await this.topology.ensureSubscription(entity, subscription);
    else await this.topology.ensureQueue(entity);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Messages fetched but not handed out go back at once rather than waiting for their locks to expire.
    for (const locked of this.buffer.splice(0)) await locked.receiver.abandonMessage(locked.message).catch(() => undefined);
    for (const locked of this.held.all()) await locked.receiver.abandonMessage(locked.message).catch(() => undefined);
    await this.receiver?.close().catch(() => undefined);
    await this.sender?.close().catch(() => undefined);
  }

  private async fill(): Promise<void> {
    const receiver = this.ensureReceiver();
    try {
      const messages = await receiver.receiveMessages(this.address.prefetch, { maxWaitTimeInMs: this.settings.receiveWaitMs });
      for (const message of messages) this.buffer.push({ message, receiver, settled: false });
    } catch (error) {
      // The SDK gave up on this receiver; the next receive starts a new one (the bus loop backs off meanwhile).
      this.receiver = null;
      await receiver.close().catch(() => undefined);
      throw mapServiceBusError(error, `receive from '${this.address.receiveFrom.entity}' (connection '${this.address.connection}')`, this.uri);
    }
  }

  private ensureReceiver(): ServiceBusReceiver {
    if (this.receiver) return this.receiver;
    const { entity, subscription, deadLetter } = this.address.receiveFrom;
    const options = {
      receiveMode: 'peekLock' as const,
      maxAutoLockRenewalDurationInMs: this.settings.maxAutoLockRenewalDurationInMs,
      ...(deadLetter ? { subQueueType: 'deadLetter' as const } : {}),
    };
    this.receiver = subscription ? this.client.createReceiver(entity, subscription, options) : this.client.createReceiver(entity, options);
    return this.receiver;
  }
}

/** The envelope bytes; a body another producer sent as a string or an object is kept as its text, for the error queue. */
function bodyBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (body === undefined || body === null) return new Uint8Array(0);
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}
