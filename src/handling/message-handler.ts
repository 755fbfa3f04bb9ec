import type { TransportMessage } from '../envelope/transport-message.js';
import type { PublishOptions, ReplyOptions, SendOptions } from './send-options.js';

/**
 * What happens when the handler throws (set on the context before throwing, or before returning to
 * change nothing):
 * - 'retry' (default): the endpoint's retry policy, then the error queue.
 * - 'block': release the message unchanged, no failure counted: it comes back (use while a dependency
 *   is down). The receive loop backs off before taking the next one.
 * - 'poison': straight to the error queue.
 * UnrecoverableHandlerError behaves as 'poison'.
 */
export type FailureHandling = 'retry' | 'block' | 'poison';

/**
 * The handler's view of one inbound message. `send`, `publish` and `reply` here belong to the message's
 * unit of work: with idempotence on they are stored in its transaction and dispatched only after it
 * commits (so they resolve before anything is on the wire); with it off they are dispatched at once.
 * Use `bus.send` for an immediate send outside that unit of work.
 */
export interface IHandlerContext<T extends object = object, TTransaction = undefined> {
  readonly message: T;
  readonly transportMessage: TransportMessage;
  /**
   * The open database transaction of the message's unit of work (idempotence on), typed by the second type
   * argument: `SqliteTransaction` (oncebus/sqlite), `PostgresTransaction` (oncebus/postgres),
   * `MssqlTransaction` (oncebus/mssql), `MemoryTransaction`. Without one it is `undefined`, as it is at run
   * time when idempotence is off.
   */
  readonly transaction: TTransaction;
  /**
   * Aborted when the handler has run longer than `handlerTimeout`, or when the bus stops and the stop
   * timeout has passed: finish or throw promptly. Either way the pipeline has stopped waiting for the
   * handler and rolled its unit of work back; its transaction refuses further statements.
   */
  readonly signal: AbortSignal;
  failureHandling: FailureHandling;
  send(message: object, options?: SendOptions): Promise<TransportMessage>;
  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]>;
  reply(message: object, options?: ReplyOptions): Promise<TransportMessage>;
}

/** Handles one message type. Resolved from the container for each message, honouring the binding's scope. */
export interface IMessageHandler<T extends object = object, TTransaction = undefined> {
  handle(context: IHandlerContext<T, TTransaction>): Promise<void> | void;
}
