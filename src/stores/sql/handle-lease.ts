import { TransactionMisuseError } from '../../errors/errors.js';

/**
 * The handler's right to use its unit of work's transaction through the driver's own handle. The handle
 * it gets (`SqlTransaction.handle`) is a guarded view: once the unit of work has ended — committed, rolled
 * back, or given up because the handler outlived its timeout — every call is refused, so a handler that
 * carries on in the background can never write into another message's transaction (the connection has
 * moved on). `inFlight` counts its statements still running, which a timeout cancels.
 */
export class HandleLease {
  open = true;
  inFlight = 0;

  /** Refuses a call after the unit of work ended. */
  check(): void {
    if (!this.open) {
      throw new TransactionMisuseError(
        "the unit of work's transaction has ended (committed, rolled back, or its handler timed out)",
        'use ctx.transaction only while the handler runs; do not keep it, or the statements it prepared, for later',
      );
    }
  }

  /** Counts a statement as running until it settles. */
  track<T>(statement: Promise<T>): Promise<T> {
    this.inFlight++;
    return statement.finally(() => this.inFlight--);
  }
}

/**
 * Statements that would end or start the transaction oncebus owns (it commits the unit of work with the
 * claim and the stored sends, or rolls it back). SAVEPOINT, ROLLBACK TO and RELEASE SAVEPOINT stay allowed:
 * they work inside it.
 */
const TRANSACTION_CONTROL = /^\s*(commit|rollback(?!\s+(work\s+|transaction\s+)?to\b)|begin|start\s+transaction|end|abort|prepare\s+transaction|set\s+transaction)\b/i;

/** Refuses transaction control in statement text a handler runs on its unit of work's transaction. */
export function refuseTransactionControl(sql: unknown): void {
  if (typeof sql !== 'string' || !TRANSACTION_CONTROL.test(sql)) return;
  throw new TransactionMisuseError(
    `a handler may not run '${sql.trim().split(/\s+/)[0]!.toUpperCase()}' on its unit of work's transaction: oncebus commits or rolls it back with the claim and the stored sends`,
    'to undo part of your work, use a SAVEPOINT of your own and ROLLBACK TO it; to fail the message, throw',
  );
}
