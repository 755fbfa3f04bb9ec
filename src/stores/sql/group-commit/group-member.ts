import type { TransportMessage } from '../../../envelope/transport-message.js';
import { StoreError } from '../../../errors/errors.js';
import type { DeferredMessage } from '../../../idempotence/idempotence-service.js';
import { ProcessingStatus } from '../../../idempotence/idempotence-service.js';
import type { HandleLease } from '../handle-lease.js';
import type { SqlTransaction } from '../sql-database.js';
import { type RecordsSource, SqlUnitOfWork } from '../sql-unit-of-work.js';
import { type Settable, settable } from '../settable.js';

/** How a member's turn on the shared transaction ended. */
export type SectionEnd = 'commit' | 'rollback';

type Phase = 'new' | 'waiting' | 'in-section' | 'ended' | 'settled';

/**
 * One inbound message's unit of work inside a shared (group-committed) transaction. Its lane grants it
 * a turn ("section") on the shared connection from the claim until the pipeline calls commit() or
 * rollback(); members take turns, so savepoints never interleave. commit() resolves only when the whole
 * batch has committed. The handler's writes go through `transaction`, which opens the member's savepoint
 * on first use (handlers that never write cost no savepoint).
 */
export class GroupMember extends SqlUnitOfWork {
  message: TransportMessage | null = null;
  /** Stored sends, in send order; written for the whole batch just before it commits. */
  readonly deferred: DeferredMessage[] = [];
  handled = false;
  /** The lease this member's copy takes on its row when the batch stores its sends. */
  flushOwner = '';
  private phase: Phase = 'new';
  private assigned = false;
  private readonly status: Settable<ProcessingStatus>;
  private sectionEnd: Settable<SectionEnd> | null = null;
  /** Settled when the lane has dealt with the end of the section: the batch committed, or the member was undone. */
  private outcome: Settable<void> | null = null;

  constructor(storeId: string, savepointName: string, statements: MemberStatements, connectionFailure?: (error: unknown) => boolean, records?: RecordsSource) {
    // Its records run on the MemberTransaction too: inside the member's savepoint, like the handler's writes.
    const tx = new MemberTransaction(savepointName, statements);
    super(tx, storeId, connectionFailure, records);
    this.status = settable<ProcessingStatus>();
  }

  get memberTransaction(): MemberTransaction {
    return this.tx as unknown as MemberTransaction;
  }

  get messageId(): string {
    return this.message!.messageId;
  }

  /** Called by the service: the status resolves once the lane has claimed (or found) the message. */
  join(message: TransportMessage): Promise<ProcessingStatus> {
    if (this.phase !== 'new') throw new StoreError('a group-commit unit of work serves one message once', { messageId: message.messageId });
    this.message = message;
    this.phase = 'waiting';
    return this.status.promise;
  }

  /** The lane found a committed row: no turn on the connection is needed. */
  resolveStatus(status: ProcessingStatus.MessageHandled | ProcessingStatus.Ignore): void {
    this.phase = 'settled';
    this.status.resolve(status);
  }

  failStatus(error: unknown): void {
    this.phase = 'settled';
    this.status.reject(error);
  }

  /** The lane's claim succeeded: the member's turn starts; resolves when the pipeline ends it. */
  grantSection(shared: SqlTransaction): Promise<SectionEnd> {
    this.phase = 'in-section';
    this.assigned = true;
    this.memberTransaction.attach(shared);
    this.sectionEnd = settable<SectionEnd>();
    this.outcome = settable<void>();
    this.status.resolve(ProcessingStatus.Assigned);
    return this.sectionEnd.promise;
  }

  /** The lane is done with this member: its batch committed (or it was undone), or the batch failed. */
  settle(error?: unknown): void {
    this.phase = 'settled';
    this.memberTransaction.detach();
    if (error === undefined) this.outcome?.resolve();
    else this.outcome?.reject(error);
  }

  get inSection(): boolean {
    return this.phase === 'in-section';
  }

  // Not async: the batch's outcome is the promise to return (an async wrapper cost a promise more).
  override commit(): Promise<void> {
    this.lease.open = false;
    if (!this.assigned) return Promise.resolve(); // handled or completed before: nothing was written
    if (this.phase === 'in-section') this.end('commit');
    return this.outcome!.promise;
  }

  override async rollback(): Promise<void> {
    this.lease.open = false;
    if (this.phase !== 'in-section') return; // nothing of ours is open (or the batch already failed)
    this.end('rollback');
    // The failure path goes on whatever the lane met while undoing: a failed undo fails the whole batch.
    await this.outcome!.promise.catch(() => undefined);
  }

  private end(how: SectionEnd): void {
    this.phase = 'ended';
    this.sectionEnd!.resolve(how);
  }
}

export interface MemberStatements {
  savepoint(name: string): string;
}

/**
 * The member's view of the shared transaction. Every statement first opens the member's savepoint; so
 * does handing out the driver handle, by queueing SAVEPOINT on the connection before the handler can
 * queue anything of its own (drivers run a connection's statements in order).
 */
export class MemberTransaction implements SqlTransaction {
  private shared: SqlTransaction | null = null;
  private opened: Promise<number> | null = null;

  constructor(
    readonly savepointName: string,
    private readonly statements: MemberStatements,
  ) {}

  attach(shared: SqlTransaction): void {
    this.shared = shared;
  }

  detach(): void {
    this.shared = null;
  }

  /** Whether the member opened its savepoint (so there is something of its own to roll back). */
  get usedSavepoint(): boolean {
    return this.opened !== null;
  }

  /** Settles once SAVEPOINT has run (rejects if it failed). */
  savepointOpened(): Promise<unknown> {
    return this.opened ?? Promise.resolve();
  }

  get native(): unknown {
    return this.current().native;
  }

  /** Inside the shared transaction (SQLite: the database's own statements join it instead of waiting for its lock). */
  within<T>(run: () => T): T {
    const shared = this.shared;
    return shared?.within ? shared.within(run) : run();
  }

  /** The shared connection's guarded handle, open while the member's turn lasts; opens its savepoint first. */
  handle(lease: HandleLease): unknown {
    const shared = this.current();
    void this.open(shared);
    return shared.handle(lease);
  }

  async query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    const shared = this.current();
    await this.open(shared);
    return shared.query<R>(sql, params);
  }

  async execute(sql: string, params?: readonly unknown[]): Promise<number> {
    const shared = this.current();
    await this.open(shared);
    return shared.execute(sql, params);
  }

  commit(): Promise<void> {
    return Promise.reject(new StoreError('commit the unit of work, not its transaction'));
  }

  rollback(): Promise<void> {
    return Promise.reject(new StoreError('roll back the unit of work, not its transaction'));
  }

  private current(): SqlTransaction {
    if (!this.shared) throw new StoreError('the transaction of this unit of work is not open (its turn has ended)');
    return this.shared;
  }

  private open(shared: SqlTransaction): Promise<number> {
    if (!this.opened) {
      // Started synchronously, so it is queued on the connection before anything the caller sends next.
      this.opened = shared.execute(this.statements.savepoint(this.savepointName));
      this.opened.catch(() => undefined); // observed by the lane when the section ends
    }
    return this.opened;
  }
}
