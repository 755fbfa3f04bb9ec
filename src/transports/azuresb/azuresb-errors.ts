import { OncebusError } from '../../errors/oncebus-error.js';

/** The queue, topic or subscription does not exist in the namespace. */
export class EntityNotFoundError extends OncebusError {
  constructor(message: string, options: { queueUri?: string; cause?: unknown } = {}) {
    super('ONCEBUS_ENTITY_NOT_FOUND', message, { ...options, hint: 'create the entity (Azure portal, ARM/Bicep, or a topology provider), or fix the URI' });
  }
}

/** The peek-lock was lost (expired, or the connection dropped): the message comes back and is handled again. */
export class LockLostError extends OncebusError {
  constructor(message: string, options: { queueUri?: string; cause?: unknown } = {}) {
    super('ONCEBUS_LOCK_LOST', message, { ...options, hint: 'with idempotence on, the redelivered copy does not repeat the effect' });
  }
}

/** Any other Service Bus failure; the SDK has already retried what is retryable. */
export class ServiceBusTransportError extends OncebusError {
  constructor(message: string, options: { queueUri?: string; cause?: unknown } = {}) {
    super('ONCEBUS_TRANSPORT', message, options);
  }
}

/**
 * Maps an SDK error by its code. Messages name the entity and the connection's *name*, never the
 * connection string (which carries the key).
 */
export function mapServiceBusError(error: unknown, what: string, queueUri: string): OncebusError {
  if (OncebusError.is(error)) return error;
  const code = (error as { code?: string }).code ?? '';
  const text = `${what}: ${code || (error as Error).name}: ${(error as Error).message ?? String(error)}`;
  if (code === 'MessagingEntityNotFound') return new EntityNotFoundError(text, { queueUri, cause: error });
  if (code === 'MessageLockLost' || code === 'SessionLockLost') return new LockLostError(text, { queueUri, cause: error });
  return new ServiceBusTransportError(text, { queueUri, cause: error });
}
