import { OncebusError } from '../../errors/oncebus-error.js';

export interface QueueErrorOptions {
  readonly queueUri?: string | undefined;
  readonly messageId?: string | undefined;
  readonly cause?: unknown;
}

/**
 * The broker could not be reached, or the connection was lost and did not come back within the outage
 * timeout. For a send this means: the message may not be stored, and the caller still owns it.
 */
export class BrokerUnavailableError extends OncebusError {
  /**
   * 'unreachable': never connected, the bounded attempts failed; 'timeout': the connection did not come
   * back (or the confirm did not come) in time; 'lost': the channel or connection closed under the
   * operation, which may be tried again on the next connection; 'closed': closed by this process.
   */
  readonly reason: 'unreachable' | 'timeout' | 'lost' | 'closed';

  constructor(reason: BrokerUnavailableError['reason'], message: string, options: QueueErrorOptions = {}) {
    super('ONCEBUS_BROKER_UNAVAILABLE', message, {
      ...options,
      hint: 'is RabbitMQ running and reachable? oncebus reconnects by itself; raise outageTimeoutMs to wait longer',
    });
    this.reason = reason;
  }
}

/**
 * The broker answered and refused this connection: the login (wrong user or password, ACCESS_REFUSED) or
 * the virtual host (missing, or the user has no permission on it). Not an outage: trying again changes
 * nothing until the URI or the broker's users change, so it fails at once, without the connect attempts.
 */
export class BrokerAccessRefusedError extends OncebusError {
  /** 'login': user or password refused; 'vhost': the virtual host is missing or not open to the user. */
  readonly reason: 'login' | 'vhost';

  constructor(reason: BrokerAccessRefusedError['reason'], message: string, options: QueueErrorOptions = {}) {
    super('ONCEBUS_BROKER_ACCESS_REFUSED', message, {
      ...options,
      setting: 'queue uri',
      hint:
        reason === 'login'
          ? 'wrong user or password: check the user name and password the URI gives (and that the user exists on the broker: rabbitmqctl list_users)'
          : 'missing virtual host, or the user may not use it: check the vhost the URI names (its path before the queue), rabbitmqctl list_vhosts, add_vhost and set_permissions',
    });
    this.reason = reason;
  }
}

/** The broker refused a published message (a nack: queue full with reject-publish, message too large, …). */
export class PublishRejectedError extends OncebusError {
  /**
   * The broker answered with a nack (rather than closing the channel, or the frame not encoding). A quorum
   * queue also nacks while it has no leader; the transport publishes again until its outage timeout.
   */
  readonly nacked: boolean;

  constructor(message: string, options: QueueErrorOptions & { readonly nacked?: boolean } = {}) {
    super('ONCEBUS_PUBLISH_REJECTED', message, {
      ...options,
      hint: 'check the queue policy (max-length, overflow) and the message size; for a quorum queue, that a majority of its nodes is up',
    });
    this.nacked = options.nacked ?? false;
  }
}

/** The queue exists with other arguments than this URI asks for (PRECONDITION_FAILED, 406). */
export class QueueMismatchError extends OncebusError {
  /** The argument the broker named ('x-max-priority', 'durable', …), or '' when it named none. */
  readonly argument: string;

  constructor(queue: string, argument: string, brokerText: string, options: QueueErrorOptions = {}) {
    super(
      'ONCEBUS_QUEUE_MISMATCH',
      `queue '${queue}' already exists with a different ${argument ? `'${argument}'` : 'argument'} than this URI asks for (${brokerText})`,
      {
        ...options,
        setting: 'queue uri',
        hint:
          argument === 'x-queue-type'
            ? "a queue's type cannot change in place: set queueType= to the existing queue's type (classic is the default), or move to the new type: " +
              'stop the endpoints that receive from it, let it drain (or shovel its messages), delete it (rabbitmqctl delete_queue), and start them with the new queueType; ' +
              'or give the quorum queue a new name and route to it'
            : 'make the URI match the existing queue (durable, priority), or delete the queue so it is declared anew',
      },
    );
    this.argument = argument;
  }
}

/**
 * An acknowledge or release of a delivery whose channel has died. It is not sent on the new channel (the
 * delivery tag means nothing there and would close it); the broker redelivers the message anyway.
 */
export class StaleDeliveryError extends OncebusError {
  constructor(options: QueueErrorOptions = {}) {
    super('ONCEBUS_STALE_DELIVERY', 'the channel this message came on has closed; the broker redelivers it', {
      ...options,
      hint: 'nothing to do: with idempotence on, the redelivered copy has its effect once',
    });
  }
}

/** A token settled a second time (acknowledged after a release, or twice). Nothing was sent to the broker. */
export class DeliveryAlreadySettledError extends OncebusError {
  constructor(options: QueueErrorOptions = {}) {
    super('ONCEBUS_DELIVERY_ALREADY_SETTLED', 'this delivery was already acknowledged or released', {
      ...options,
      hint: 'settle each received message exactly once',
    });
  }
}
