import type { SqlDatabase } from '../sql-database.js';
import { executeStepsAtomically } from './statement-steps.js';
import type { GroupCommitStatements } from '../sql-statements.js';
import type { IdempotenceKeys } from '../../../idempotence/idempotence-key.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * deferredMessageSent and processingCompleted of many messages, written by one statement (one commit)
 * at a time. A completion resolves only once it has committed, so the pipeline still acknowledges a
 * message after its row is completed — the batch only shares the commit. While a statement runs, new
 * calls gather for the next one.
 */
export class CompletionBatcher {
  private sentIds: string[] = [];
  private sentSequences: number[] = [];
  private completedIds: string[] = [];
  private purgeAfters: (number | null)[] = [];
  private waiters: Waiter[] = [];
  private running = false;

  constructor(
    private readonly database: SqlDatabase,
    private readonly statements: GroupCommitStatements,
    private readonly keys: IdempotenceKeys,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Deletes one stored send (by its sequence) that went out; resolves once the delete has committed. */
  sent(messageId: string, sequence: number): Promise<void> {
    this.sentIds.push(messageId);
    this.sentSequences.push(sequence);
    return this.enqueue();
  }

  completed(messageId: string, purgeAfter: number | null): Promise<void> {
    this.completedIds.push(messageId);
    this.purgeAfters.push(purgeAfter);
    return this.enqueue();
  }

  private enqueue(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) void this.drain();
    return p;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiters.length > 0) {
      const params = this.keys.many(this.sentIds, this.sentSequences, this.completedIds, this.clock(), this.purgeAfters);
      const waiters = this.waiters;
      this.sentIds = [];
      this.sentSequences = [];
      this.completedIds = [];
      this.purgeAfters = [];
      this.waiters = [];
      try {
        await executeStepsAtomically(this.database, this.statements.completeMany, params);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.running = false;
  }
}
