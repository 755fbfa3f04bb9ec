import type { TransportMessage } from '../envelope/transport-message.js';
import type { IUnitOfWork } from '../idempotence/unit-of-work.js';
import type { ISubscriptionService } from '../subscriptions/subscription-service.js';

/**
 * A message taken from a queue and not yet settled. `token` is the transport's own handle (an AMQP
 * delivery, a lock token, a row id); only the queue that produced it may settle it, exactly once.
 */
export interface ReceivedMessage {
  /** The serialized envelope, as enqueued. */
  readonly body: Uint8Array;
  readonly token: unknown;
}

/**
 * The queue port every transport implements. Invariants (the contract suite in test/contract checks them):
 * - `enqueue` resolves only once the message is durable in the transport (a broker confirm, a commit);
 *   a rejected promise means the message may not have been stored, and the caller still owns it.
 * - `getMessage` returns a message at most once until it is acknowledged or released; it may wait briefly
 *   (at most about a second) for one to arrive, and resolves null when none is ready.
 * - `acknowledge` removes the message for good; `release` makes it available again (redelivery).
 * - A message neither acknowledged nor released when the process dies is redelivered.
 */
export interface IQueue {
  readonly uri: string;
  /**
   * `message` supplies the metadata a transport may map to its own properties (id, priority, expiry,
   * ignoreTillDate); `body` is the serialized envelope to store. A SQL queue joins `unitOfWork` when
   * it belongs to the same database (see ITransactionalQueue).
   */
  enqueue(message: TransportMessage, body: Uint8Array, unitOfWork?: IUnitOfWork): Promise<void>;
  getMessage(): Promise<ReceivedMessage | null>;
  acknowledge(token: unknown): Promise<void>;
  release(token: unknown): Promise<void>;
  /** Closes connections; messages taken and not settled are redelivered by the transport. */
  close(): Promise<void>;
  /**
   * Called once, at start, when a receive loop will use this queue object: a transport that holds a pooled
   * connection per message in hand reserves it here, and refuses (ConfigurationError) when the pool is too
   * small. Optional.
   */
  openReceiver?(): void;
}

/** Optional capabilities, detected with the guards below. */
export interface ICreateQueue {
  create(): Promise<void>;
}
export interface IPurgeQueue {
  purge(): Promise<void>;
}
export interface IDropQueue {
  drop(): Promise<void>;
}
/** Number of messages ready or in flight; used by tests and tooling, not by the bus. */
export interface ICountQueue {
  count(): Promise<number>;
}
/**
 * The transport withholds a message until its `ignoreTillDate` by itself (Azure scheduled messages,
 * a SQL due-time column), so the bus needs no deferred queue for it.
 */
export interface ISchedulingQueue {
  readonly supportsScheduledDelivery: true;
}
/**
 * One queue object can serve every receive loop of an endpoint: getMessage may run concurrently and any
 * loop settles what it took through the same object. The bus then opens one consumer per endpoint (a
 * RabbitMQ channel with one prefetch window shared by the loops) instead of one per loop.
 */
export interface ISharedReceiverQueue {
  readonly sharedByReceiveLoops: true;
}
/** A queue whose enqueue can join the handler's unit of work (a SQL queue in the idempotence database). */
export interface ITransactionalQueue {
  canEnlist(unitOfWork: IUnitOfWork): boolean;
}

export const isCreateQueue = (q: IQueue): q is IQueue & ICreateQueue =>
  typeof (q as Partial<ICreateQueue>).create === 'function';
export const isPurgeQueue = (q: IQueue): q is IQueue & IPurgeQueue =>
  typeof (q as Partial<IPurgeQueue>).purge === 'function';
export const isDropQueue = (q: IQueue): q is IQueue & IDropQueue =>
  typeof (q as Partial<IDropQueue>).drop === 'function';
export const isCountQueue = (q: IQueue): q is IQueue & ICountQueue =>
  typeof (q as Partial<ICountQueue>).count === 'function';
export const isSchedulingQueue = (q: IQueue): q is IQueue & ISchedulingQueue =>
  (q as Partial<ISchedulingQueue>).supportsScheduledDelivery === true;
export const isTransactionalQueue = (q: IQueue): q is IQueue & ITransactionalQueue =>
  typeof (q as Partial<ITransactionalQueue>).canEnlist === 'function';

/**
 * Creates queues for one URI scheme (`memory`, `rabbitmq`, `postgres`, …). Registered in the container
 * under TYPES.QueueFactory; the bus picks the factory by the URI's scheme. One factory may share a
 * connection between the queues it creates; `close` releases it.
 */
export interface IQueueFactory {
  readonly scheme: string;
  create(uri: string): IQueue;
  /**
   * The queue's address for a URI of this scheme (see canonicalQueueAddress, the default): no secret, the
   * same however the URI is written, and still a URI this factory's `create` serves (replies go to it).
   */
  address?(uri: string): string;
  /**
   * Which connection, and so which credentials, a queue of this URI is reached with (RabbitMQ: scheme,
   * host and port), without secrets. A factory whose connections are all configured on it (a SQL store,
   * Azure's named connections) has none: no URI can lead it anywhere else. The bus sends to a URI a message
   * names only when its scope is one the endpoint was configured for (QueueRegistry.checkDestination).
   */
  connectionScope?(uri: string): string;
  /**
   * Publish/subscribe by the transport itself (RabbitMQ: an exchange per message type, inbox queues bound
   * to it), for an endpoint whose inbox is `uri` (or, sending only, on the connection `uri` names). The bus
   * uses it when no ISubscriptionService is bound. Its subscribers are destinations this factory serves.
   */
  subscriptions?(uri: string): ISubscriptionService;
  close?(): Promise<void>;
}
/**
 * A message the transport already holds in this process (a prefetched delivery) is handed out without a
 * promise: `takeReady` returns it at once, or null when none is held (or the queue is closed) — the loop
 * then calls getMessage, which waits and reports failures. Same rules as getMessage for what it returns.
 */
export interface IReadyMessageQueue {
  takeReady(): ReceivedMessage | null;
}
/**
 * An acknowledgement the transport only records at first and makes durable later, with others (a batch of
 * rows deleted in one commit when its last message is settled). `acknowledgeThen` records it like
 * `acknowledge` and calls `durable` once it is durable — never, when the batch fails to end and its messages
 * come again. The bus counts a message as a success of the infrastructure only then.
 */
export interface IDeferredAcknowledgementQueue {
  /** Returns ACKNOWLEDGEMENT_RECORDED when it only recorded the acknowledgement: the bus then goes on without awaiting it. */
  acknowledgeThen(token: unknown, durable: () => void): Promise<void>;
}
/** A settled promise, shared: what acknowledgeThen returns when it only recorded the acknowledgement (no promise made per message). */
export const ACKNOWLEDGEMENT_RECORDED: Promise<void> = Promise.resolve();
export const isDeferredAcknowledgementQueue = (q: IQueue): q is IQueue & IDeferredAcknowledgementQueue =>
  typeof (q as Partial<IDeferredAcknowledgementQueue>).acknowledgeThen === 'function';
export const isReadyMessageQueue = (q: IQueue): q is IQueue & IReadyMessageQueue =>
  typeof (q as Partial<IReadyMessageQueue>).takeReady === 'function';
export const isSharedReceiverQueue = (q: IQueue): q is IQueue & ISharedReceiverQueue =>
  (q as Partial<ISharedReceiverQueue>).sharedByReceiveLoops === true;
