import { TransactionMisuseError } from '../../errors/errors.js';
import type { DeferredMessage } from '../idempotence-service.js';
import type { IUnitOfWork } from '../unit-of-work.js';

/** What a handler's "transaction" is with the memory store: effects registered here apply only on commit. */
export interface MemoryTransaction {
  onCommit(effect: () => void): void;
  /**
   * Runs `cleanup` once the unit of work ended, committed or rolled back (after the commit's effects):
   * to let go of what was held for it, such as a saga instance's in-process lock.
   */
  onEnd(cleanup: () => void): void;
}

/**
 * A unit of work against the memory store. Everything it would write (the claim, the stored sends, the
 * handled mark, the handler's effects) is held here and applied in one synchronous step on commit, so no
 * other unit of work can observe half of it: the in-process equivalent of a database transaction.
 */
export class MemoryUnitOfWork implements IUnitOfWork<MemoryTransaction> {
  readonly transaction: MemoryTransaction;
  /** Key of the claim this unit of work holds, if any. */
  claimedKey: string | null = null;
  handledKey: string | null = null;
  /** The flush lease messageHandled took for this copy, written with the row on commit. */
  flushOwner: string | null = null;
  flushUntil = 0;
  readonly deferred: (DeferredMessage & { key: string })[] = [];
  private readonly effects: (() => void)[] = [];
  private readonly cleanups: (() => void)[] = [];
  private finished = false;
  private abandoned = false;

  constructor(
    readonly storeId: string,
    private readonly onCommit: (uow: MemoryUnitOfWork) => void,
    private readonly onEnd: (uow: MemoryUnitOfWork) => void,
  ) {
    this.transaction = {
      onCommit: (effect) => {
        if (this.finished || this.abandoned) throw new TransactionMisuseError("the unit of work's transaction has ended", 'register effects only while the handler runs');
        this.effects.push(effect);
      },
      onEnd: (cleanup) => {
        if (this.finished) throw new TransactionMisuseError("the unit of work's transaction has ended", 'register cleanups only while the unit of work is open');
        this.cleanups.push(cleanup);
      },
    };
  }

  /** Committed or rolled back: it can claim nothing any more. */
  get ended(): boolean {
    return this.finished;
  }

  /** The handler was given up: what it registers from now on is refused (as a SQL handle would be). */
  abandon(): void {
    this.abandoned = true;
  }

  async commit(): Promise<void> {
    this.assertOpen();
    this.finished = true;
    this.onCommit(this);
    try {
      for (const effect of this.effects) effect();
    } finally {
      this.end();
    }
  }

  async rollback(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.end();
  }

  private end(): void {
    this.onEnd(this);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private assertOpen(): void {
    if (this.finished) throw new Error('unit of work already committed or rolled back');
  }
}
