import { OncebusError } from '../../errors/oncebus-error.js';

/** The broker could not be reached, or the connection was lost and not back in time. */
export class BrokerUnavailableError extends OncebusError {
  constructor(message: string, options: { queueUri?: string; cause?: unknown } = {}) {
    super('ONCEBUS_BROKER_UNAVAILABLE', message, { ...options, hint: 'is RabbitMQ running and reachable? oncebus reconnects by itself' });
  }
}

/** The broker refused a published message (a nack: queue full with reject-publish, an internal error). */
export class PublishRejectedError extends OncebusError {
  constructor(message: string, options: { queueUri?: string; cause?: unknown } = {}) {
    super('ONCEBUS_PUBLISH_REJECTED', message, options);
  }
}

/** The queue exists with other arguments than this URI asks for (PRECONDITION_FAILED, 406). */
export class QueueMismatchError extends OncebusError {
  constructor(message: string, options: { queueUri?: string; cause?: unknown } = {}) {
    super('ONCEBUS_QUEUE_MISMATCH', message, {
      ...options,
      setting: 'queue uri',
      hint: 'make the URI match the existing queue (durable, priority), or delete the queue so it can be declared anew',
    });
  }
}

/** An acknowledge or release of a delivery whose channel has died: the broker redelivers it anyway. */
export class StaleDeliveryError extends OncebusError {
  constructor(message: string, options: { queueUri?: string } = {}) {
    super('ONCEBUS_STALE_DELIVERY', message, options);
  }
}
