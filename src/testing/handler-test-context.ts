import { emptyTransportMessage, type TransportMessage } from '../envelope/transport-message.js';
import type { FailureHandling, IHandlerContext } from '../handling/message-handler.js';
import type { PublishOptions, ReplyOptions, SendOptions } from '../handling/send-options.js';
import { messageTypeNameOf, type MessageClass } from '../messages/message-type.js';

/** A message a handler sent, published or replied, as the handler passed it. */
export interface RecordedMessage<TOptions> {
  readonly message: object;
  readonly options: TOptions | undefined;
  /** The envelope the send resolved with (messageId, correlation fixed as the bus would). */
  readonly transportMessage: TransportMessage;
}

export interface HandlerTestContextOptions<TTransaction> {
  /** What `ctx.transaction` is: a real one of your store (a SQLite `Database`, a pg client) or a stub. */
  readonly transaction?: TTransaction;
  /** Envelope fields of the handled message (messageId, headers, failureMessages for a retry, …). */
  readonly transportMessage?: Partial<TransportMessage>;
  readonly signal?: AbortSignal;
}

/**
 * A handler's context for a unit test (NServiceBus.Testing's TestableMessageHandlerContext): run
 * `handler.handle(ctx)`, then assert on what it sent (`sent`, `published`, `replied`), on `failureHandling`,
 * and on its transaction. Nothing goes anywhere: the messages are recorded in order, each with the
 * envelope it would have had.
 */
export class HandlerTestContext<T extends object, TTransaction = undefined> implements IHandlerContext<T, TTransaction> {
  readonly transportMessage: TransportMessage;
  readonly transaction: TTransaction;
  readonly signal: AbortSignal;
  failureHandling: FailureHandling = 'retry';
  readonly sent: RecordedMessage<SendOptions>[] = [];
  readonly published: RecordedMessage<PublishOptions>[] = [];
  readonly replied: RecordedMessage<ReplyOptions>[] = [];
  private sequence = 0;

  constructor(
    readonly message: T,
    options: HandlerTestContextOptions<TTransaction> = {},
  ) {
    this.transportMessage = {
      ...emptyTransportMessage(),
      messageId: 'test-message-1',
      messageType: messageTypeNameOf(message.constructor as MessageClass) ?? '',
      sendDate: Date.now(),
      ...options.transportMessage,
    };
    this.transaction = options.transaction as TTransaction;
    this.signal = options.signal ?? new AbortController().signal;
  }

  /** Everything the handler sent, published or replied, in the order it did. */
  get all(): readonly RecordedMessage<SendOptions | PublishOptions | ReplyOptions>[] {
    return [...this.sent, ...this.published, ...this.replied].sort((a, b) => order(a) - order(b));
  }

  async send(message: object, options?: SendOptions): Promise<TransportMessage> {
    return this.record(this.sent, message, options, options?.recipient ?? '');
  }

  async publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]> {
    return [this.record(this.published, message, options, '')];
  }

  async reply(message: object, options?: ReplyOptions): Promise<TransportMessage> {
    return this.record(this.replied, message, options, this.transportMessage.senderInboxWorkQueueUri);
  }

  private record<O extends SendOptions | PublishOptions | ReplyOptions>(into: RecordedMessage<O>[], message: object, options: O | undefined, recipient: string): TransportMessage {
    const received = this.transportMessage;
    const n = ++this.sequence;
    const tm: TransportMessage = {
      ...emptyTransportMessage(),
      messageId: options?.messageId ?? `test-sent-${n}`,
      messageReceivedId: received.messageId,
      correlationId: options?.correlationId ?? received.correlationId,
      recipientInboxWorkQueueUri: recipient,
      messageType: messageTypeNameOf(message.constructor as MessageClass) ?? '',
      headers: { ...received.headers, ...options?.headers },
      sendDate: Date.now(),
    };
    const entry = { message, options, transportMessage: tm };
    orders.set(entry, n);
    into.push(entry);
    return tm;
  }
}

const orders = new WeakMap<object, number>();
const order = (entry: object): number => orders.get(entry) ?? 0;
