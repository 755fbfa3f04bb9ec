import { ConfigurationError, DuplicateHandlerError } from '../errors/errors.js';
import type { MessageTypeRegistry } from '../messages/message-type-registry.js';
import { type HandlerClass, handledMessageTypeOf } from './handles-message.js';
import type { IMessageHandler } from './message-handler.js';

/** Resolves a handler instance for each message; the container honours the binding's scope. */
export type HandlerResolver = (handler: HandlerClass) => IMessageHandler;

/**
 * Message type name → handler class, exactly one per type per endpoint (as in Shuttle.Esb): one inbound
 * message is one unit of work with one handler's effect, which is what idempotence makes once-only.
 * Two handlers for one type fail at start with DuplicateHandlerError.
 */
export class HandlerRegistry {
  private readonly byType = new Map<string, HandlerClass>();

  constructor(handlers: readonly HandlerClass[], types: MessageTypeRegistry) {
    handlers.forEach((handler, i) => {
      const type = handledMessageTypeOf(handler);
      if (!type) {
        throw new ConfigurationError(`handlers[${i}]`, `${handler.name} has no @handlesMessage(Type) decorator`);
      }
      const name = types.register(type, `handlers[${i}]`);
      if (this.byType.has(name)) throw new DuplicateHandlerError(name);
      this.byType.set(name, handler);
    });
  }

  handlerFor(messageType: string): HandlerClass | undefined {
    return this.byType.get(messageType);
  }

  get handledTypes(): string[] {
    return [...this.byType.keys()];
  }
}
