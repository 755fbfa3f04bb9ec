import { NoHandlerError } from '../../errors/errors.js';
import { HandlerContext } from './handler-context.js';
import type { HandlerRegistry, HandlerResolver } from '../../handling/handler-registry.js';
import type { IMessageHandler } from '../../handling/message-handler.js';
import { ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import { HANDLER_RAN, type HandlerWatchdog } from '../../processing/handler-watchdog.js';
import type { MessageSender } from '../outgoing/message-sender.js';
import type { InboxDecoded } from './inbox-message-state.js';

/**
 * Runs the one handler of the message's type, resolved from the container for this message. Skipped
 * when idempotence found the message handled before. A throw — or outliving handlerTimeout — is recorded
 * as the handler's error, which the failure observer treats by the retry policy (not as an outage).
 */
export class HandleMessageObserver implements IPipelineObserver<InboxDecoded, 'onHandleMessage'> {
  readonly event = 'onHandleMessage';

  constructor(
    private readonly handlers: HandlerRegistry,
    private readonly resolve: HandlerResolver,
    /** Filled with the built sender before the first message (see buildPipelines). */
    private readonly pipelines: { readonly sender: MessageSender },
    /** Bounds the handler's time (handlerTimeout) and gives it up when stop() does. */
    private readonly watchdog: HandlerWatchdog,
  ) {}

  execute(state: InboxDecoded): Promise<void> | undefined {
    if (state.status !== ProcessingStatus.Assigned) return undefined;
    const tm = state.transportMessage;
    const handlerClass = this.handlers.handlerFor(tm.messageType);
    if (!handlerClass) throw new NoHandlerError(tm.messageType, { messageId: tm.messageId });
    const handler = this.resolve(handlerClass) as IMessageHandler;
    let ran: Promise<void>;
    try {
      const uow = state.unitOfWork;
      ran = uow?.within ? uow.within(() => this.watch(state, handler)) : this.watch(state, handler);
    } catch (error) {
      state.handlerError = error;
      throw error;
    }
    // A synchronous handler that ended in time: nothing to wait for (no promise of this step, no microtask).
    if (ran === HANDLER_RAN) return undefined;
    return ran.catch((error: unknown) => {
      state.handlerError = error;
      throw error;
    });
  }

  private watch(state: InboxDecoded, handler: IMessageHandler): Promise<void> {
    return this.watchdog.watch(state.transportMessage.messageId, (watched) => handler.handle(new HandlerContext(state, this.pipelines.sender, watched)), state.unitOfWork);
  }
}
