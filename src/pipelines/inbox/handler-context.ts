import type { TransportMessage } from '../../envelope/transport-message.js';
import { OncebusError } from '../../errors/errors.js';
import type { InboxDecoded } from './inbox-message-state.js';
import type { MessageSender, SendOrigin } from '../outgoing/message-sender.js';
import type { WatchedHandler } from '../../processing/handler-watchdog.js';
import type { FailureHandling, IHandlerContext } from '../../handling/message-handler.js';
import type { PublishOptions, ReplyOptions, SendOptions } from '../../handling/send-options.js';

/**
 * The context handed to a handler: a thin view over the inbox state. Sends made through it carry the
 * message's unit of work, so with idempotence on they are stored in its transaction, not dispatched.
 */
export class HandlerContext<T extends object, TTransaction> implements IHandlerContext<T, TTransaction> {
  private sendOrigin: SendOrigin | undefined;

  constructor(
    private readonly state: InboxDecoded,
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
    return this.state.transportMessage;
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

  /** What its sends are caused by and stored in; made on the first send (most handlers send once or never). */
  private origin(): SendOrigin {
    return (this.sendOrigin ??= { received: this.state.transportMessage, unitOfWork: this.state.unitOfWork });
  }

  async send(message: object, options?: SendOptions): Promise<TransportMessage> {
    return (await this.sender.send('send', message, options, this.origin()))[0]!;
  }

  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]> {
    return this.sender.send('publish', message, options, this.origin());
  }

  async reply(message: object, options?: ReplyOptions): Promise<TransportMessage> {
    const sent = await this.sender.send('reply', message, options, this.origin());
    if (!sent[0]) throw new OncebusError('ONCEBUS_NO_REPLY_ADDRESS', 'reply was not dispatched');
    return sent[0];
  }
}
