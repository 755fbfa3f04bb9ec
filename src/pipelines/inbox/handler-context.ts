import type { TransportMessage } from '../../envelope/transport-message.js';
import { OncebusError } from '../../errors/errors.js';
import type { InboxMessageState } from './inbox-message-state.js';
import type { MessageSender } from '../outgoing/message-sender.js';
import type { WatchedHandler } from '../../processing/handler-watchdog.js';
import type { FailureHandling, IHandlerContext } from '../../handling/message-handler.js';
import type { PublishOptions, ReplyOptions, SendOptions } from '../../handling/send-options.js';

/**
 * The context handed to a handler: a thin view over the inbox state. Sends made through it carry the
 * message's unit of work, so with idempotence on they are stored in its transaction, not dispatched.
 */
export class HandlerContext<T extends object, TTransaction> implements IHandlerContext<T, TTransaction> {
  constructor(
    private readonly state: InboxMessageState,
    private readonly sender: MessageSender,
    private readonly watched: WatchedHandler,
  ) {}

  /** Made on first use: most handlers never look at it. */
  get signal(): AbortSignal {
    return this.watched.signal;
  }

  get message(): T {
    return this.state.message as T;
  }

  get transportMessage(): TransportMessage {
    return this.state.transportMessage!;
  }

  get transaction(): TTransaction {
    return this.state.unitOfWork?.transaction as TTransaction;
  }

  get failureHandling(): FailureHandling {
    return this.state.failureHandling;
  }

  set failureHandling(value: FailureHandling) {
    this.state.failureHandling = value;
  }

  async send(message: object, options?: SendOptions): Promise<TransportMessage> {
    return (await this.sender.send('send', message, options, this.transportMessage, this.state.unitOfWork))[0]!;
  }

  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]> {
    return this.sender.send('publish', message, options, this.transportMessage, this.state.unitOfWork);
  }

  async reply(message: object, options?: ReplyOptions): Promise<TransportMessage> {
    const sent = await this.sender.send('reply', message, options, this.transportMessage, this.state.unitOfWork);
    if (!sent[0]) throw new OncebusError('ONCEBUS_NO_REPLY_ADDRESS', 'reply was not dispatched');
    return sent[0];
  }
}
