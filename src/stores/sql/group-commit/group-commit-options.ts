import { ConfigurationError } from '../../../errors/errors.js';

/**
 * Group commit: the claims, handler writes and stored sends of many in-flight messages share one
 * transaction (each handler in a savepoint of its own), and completions are written in batches.
 */
export interface GroupCommitOptions {
  /**
   * Messages per shared transaction at most (default 64, the most allowed). Each handler that writes takes a
   * savepoint (a subtransaction); PostgreSQL keeps up to 64 per transaction in shared memory.
   */
  readonly maxBatchSize?: number;
  /**
   * Shared transactions open at once, each on a connection of its own (default 1: one lane makes the
   * largest batches, and measured fastest). Handlers in one transaction run one after another on its
   * connection, so a handler that waits on something slow (an HTTP call) holds up its lane: give such
   * endpoints more lanes, or leave group commit off.
   */
  readonly lanes?: number;
}

export interface ResolvedGroupCommitOptions {
  readonly maxBatchSize: number;
  readonly lanes: number;
}

export function resolveGroupCommitOptions(options: GroupCommitOptions | true): ResolvedGroupCommitOptions {
  const o = options === true ? {} : options;
  const maxBatchSize = o.maxBatchSize ?? 64;
  const lanes = o.lanes ?? 1;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > 64) {
    throw new ConfigurationError('groupCommit.maxBatchSize', `must be an integer from 1 to 64 (got ${maxBatchSize})`);
  }
  if (!Number.isInteger(lanes) || lanes < 1) throw new ConfigurationError('groupCommit.lanes', `must be a positive integer (got ${lanes})`);
  return { maxBatchSize, lanes };
}
