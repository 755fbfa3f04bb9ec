import { inTransaction, type SqlDatabase, type SqlExecutor } from '../sql-database.js';

/** One statement, or several run in order with the same parameters (a dialect without writes in WITH). */
export type Steps = string | readonly string[];

/** Runs the steps on `executor` (inside the caller's transaction); resolves to the last one's count. */
export async function executeSteps(executor: SqlExecutor, steps: Steps, params: readonly unknown[]): Promise<number> {
  if (typeof steps === 'string') return executor.execute(steps, params);
  let count = 0;
  for (const step of steps) count = await executor.execute(step, params);
  return count;
}

/** Runs the steps as one commit: a single statement as it is, several in a transaction of their own. */
export async function executeStepsAtomically(database: SqlDatabase, steps: Steps, params: readonly unknown[]): Promise<number> {
  if (typeof steps === 'string') return database.execute(steps, params);
  return inTransaction(database, (tx) => executeSteps(tx, steps, params));
}
