import type { TransportMessage } from '../envelope/transport-message.js';
import { BusStateError } from '../errors/errors.js';
import type { PublishOptions, SendOptions } from '../handling/send-options.js';
import type { IUnitOfWork, IUnitOfWorkRecords } from '../idempotence/unit-of-work.js';
import type { MessageSender, SendOrigin } from '../pipelines/outgoing/message-sender.js';
import type { ISessionIdempotenceService } from '../idempotence/session-idempotence-service.js';

/**
 * Sends that commit with your own database work (NServiceBus's transactional session): inside
 * `bus.withTransaction`, write through `transaction` and send through the session; the messages are
 * stored in that same transaction and dispatched after it commits — or never, when it rolls back.
 * `TTransaction` types `transaction` as in a handler: `SqliteTransaction`, `PostgresTransaction`,
 * `MssqlTransaction` or `MemoryTransaction` (annotate the callback's parameter to choose it).
 */
export interface ITransactionalSession<TTransaction = unknown> {
  /** The session's id: every message it sends carries it as `messageReceivedId`. */
  readonly id: string;
  /** The open transaction of this session, on the endpoint's idempotence store. */
  readonly transaction: TTransaction;
  /**
   * On a SQL store: statements an add-on runs on this session's transaction (`IUnitOfWork.records`), so its
   * rows commit with your writes and the stored sends (the HTTP add-on stores the response this way).
   */
  readonly records?: IUnitOfWorkRecords;
  /** Stores `message` for its route's queue; resolves to the envelope as it will be sent (its messageId fixed). */
  send(message: object, options?: SendOptions): Promise<TransportMessage>;
  /** Stores one copy per subscriber, all with one messageId. */
  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]>;
}

/** One session's transaction and sends; `end()` closes it to further sends once it commits or rolls back. */
export class TransactionalSession<TTransaction = unknown> implements ITransactionalSession<TTransaction> {
  private claim: Promise<unknown> | null = null;
  private ended = false;
  /** Sends under way: the session commits only once each has been stored (or rolls back if one failed). */
  private readonly storing = new Set<Promise<unknown>>();
  private readonly origin: SendOrigin;

  constructor(
    private readonly service: ISessionIdempotenceService,
    /** Read by an add-on that keeps rows with the memory store (sessionUnitOfWork), not part of the interface. */
    readonly unitOfWork: IUnitOfWork,
    readonly envelope: TransportMessage,
    private readonly sender: MessageSender,
  ) {
    this.origin = { received: envelope, unitOfWork, store: service };
  }

  get id(): string {
    return this.envelope.messageId;
  }

  get transaction(): TTransaction {
    return this.unitOfWork.transaction as TTransaction;
  }

  get records(): IUnitOfWorkRecords | undefined {
    return this.unitOfWork.records;
  }

  /** Whether anything was stored: only then does the session write its row and owe a dispatch. */
  get claimed(): boolean {
    return this.claim !== null;
  }

  send(message: object, options?: SendOptions): Promise<TransportMessage> {
    return quietly(this.store('send', message, options).then((sent) => sent[0]!));
  }

  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]> {
    return this.store('publish', message, options);
  }

  /**
   * Closes the session to further sends and waits for those under way (a send the callback did not await):
   * rejects if one of them failed, so the session rolls back rather than commit without it.
   */
  async end(): Promise<void> {
    this.ended = true;
    const outcomes = await Promise.allSettled([...this.storing]);
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private store(kind: 'send' | 'publish', message: object, options: SendOptions | undefined): Promise<TransportMessage[]> {
    if (this.ended) return quietly(Promise.reject(new BusStateError(`session.${kind}() after the session ended: send inside the withTransaction callback, and await it`)));
    const storing = quietly(this.storeNow(kind, message, options));
    this.storing.add(storing);
    return storing;
  }

  private async storeNow(kind: 'send' | 'publish', message: object, options: SendOptions | undefined): Promise<TransportMessage[]> {
    // The session's row is written with its first send (a session that sends nothing leaves no row).
    this.claim ??= this.service.processingStatus(this.envelope, this.unitOfWork);
    await this.claim;
    return this.sender.send(kind, message, options, this.origin);
  }
}

/**
 * The unit of work under a session that bus.withTransaction opened, for an add-on keeping rows in the memory
 * store (which has no `records`: its writes are effects registered on the unit of work); undefined otherwise.
 */
export function sessionUnitOfWork(session: ITransactionalSession<unknown>): IUnitOfWork | undefined {
  return session instanceof TransactionalSession ? session.unitOfWork : undefined;
}

/**
 * Marks a promise handled without changing what it resolves or rejects to: a send the callback did not
 * await fails the session at end() (or is a no-op after it), never the process as an unhandled rejection.
 */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
