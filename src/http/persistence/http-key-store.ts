import type { ITransactionalSession } from '../../sessions/transactional-session.js';

/** A response as it is stored with its key: status, the kept headers (lower-case names) and the body bytes. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** One http_keys row. Times are epoch ms. */
export interface HttpKeyRecord {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly status: 'running' | 'completed';
  /** The attempt (a uuid) that holds the key while running, or whose response completed it. */
  readonly attempt: string;
  /** While running: until when the attempt holds the key; after that another may take it over. */
  readonly lockedUntil: number | null;
  readonly response: StoredResponse | null;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly expiresAt: number;
}

/** An attempt's claim of a key: the row it writes (status 'running'). */
export interface KeyClaim {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly attempt: string;
  readonly now: number;
  readonly lockedUntil: number;
  readonly expiresAt: number;
}

/**
 * The http_keys rows, read and written on a transactional session's transaction. Every write is
 * conditional and none fails the transaction when its condition does not hold: it answers false.
 */
export interface IHttpKeyStore {
  /** Inserts the claim's row if (scope, key) has none. */
  insert(session: ITransactionalSession, claim: KeyClaim): Promise<boolean>;
  find(session: ITransactionalSession, scope: string, key: string): Promise<HttpKeyRecord | undefined>;
  /**
   * Replaces the row with the claim's if it is still held by `previousAttempt` and either its lease ran out
   * while running (the holder died) or it expired (an expired key acts as absent).
   */
  takeOver(session: ITransactionalSession, claim: KeyClaim, previousAttempt: string): Promise<boolean>;
  /** Marks the row completed with `response` if `attempt` still holds it running: false when another took it over. */
  complete(session: ITransactionalSession, scope: string, key: string, attempt: string, response: StoredResponse, now: number): Promise<boolean>;
  /** Deletes the row if `attempt` still holds it running (its route failed): the key is free again. */
  free(session: ITransactionalSession, scope: string, key: string, attempt: string): Promise<void>;
}
