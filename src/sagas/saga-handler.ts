import { ConfigurationError } from '../errors/errors.js';
import { SagaNotFoundError } from '../errors/errors.js';
import type { HandlerClass } from '../handling/handles-message.js';
import { handlesMessage } from '../handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../handling/message-handler.js';
import type { MessageClass } from '../messages/message-type.js';
import { attachSagaBinding, type SagaBinding } from './saga-binding.js';
import { SagaHandlerContext } from './saga-handler-context.js';
import { type SagaSession, sagaSessions } from './saga-session.js';

/**
 * Runs the user's handler for a loaded or new instance, or, when none answers the message, the saga's
 * not-found policy — here, inside the handler, so the policy sees the real context and a 'retry' or 'poison'
 * is the handler's failure like any other.
 */
export async function invokeSagaHandler(binding: SagaBinding, ctx: IHandlerContext<object, unknown>, session: SagaSession): Promise<void> {
  try {
    if (session.status !== 'not-found') return await binding.handle(new SagaHandlerContext(ctx, session));
    const { saga } = session;
    const policy = saga.notFound(ctx);
    const fields = { saga: saga.name, correlationId: session.correlationId, messageType: binding.messageTypeName, messageId: ctx.transportMessage.messageId };
    if (policy === 'ignore') {
      session.logger.warn('no saga instance for the message; acknowledged without handling it', fields);
      return;
    }
    if (policy === 'poison') ctx.failureHandling = 'poison';
    throw new SagaNotFoundError(saga.name, session.correlationId, { messageId: ctx.transportMessage.messageId, messageType: binding.messageTypeName });
  } finally {
    session.ended = true;
  }
}

/** The handler class generated for one message type of a saga: it runs in the session SagaModule loaded. */
export function sagaHandlerClass(binding: SagaBinding, type: MessageClass): HandlerClass {
  class SagaMessageHandler implements IMessageHandler<object, unknown> {
    handle(ctx: IHandlerContext<object, unknown>): Promise<void> {
      const session = sagaSessions.get(ctx.transportMessage);
      if (!session) {
        throw new ConfigurationError('modules', `saga '${binding.saga.name}' handled ${binding.messageTypeName} without its instance loaded`, {
          hint: "bind the saga module in the endpoint's container: container.bind(TYPES.Module).toConstantValue(new SagaModule())",
        });
      }
      return invokeSagaHandler(binding, ctx, session);
    }
  }
  Object.defineProperty(SagaMessageHandler, 'name', { value: `${binding.saga.name}[${binding.messageTypeName}]` });
  handlesMessage(type)(SagaMessageHandler);
  attachSagaBinding(SagaMessageHandler, binding);
  return SagaMessageHandler;
}
