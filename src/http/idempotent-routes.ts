import { randomUUID } from 'node:crypto';
import { IdempotencyKeyConflictError } from '../errors/errors.js';
import type { IServiceBus } from '../index.js';
import type { ITransactionalSession } from '../sessions/transactional-session.js';
import { IDEMPOTENT_REPLAYED_HEADER, parseIdempotencyKey } from './idempotency-key-header.js';
import { type IdempotencyOptions, type ResolvedIdempotencyOptions, resolveIdempotencyOptions } from './idempotency-options.js';
import type { HttpKeyRecord, IHttpKeyStore, KeyClaim } from './persistence/http-key-store.js';
import { selectHttpKeyStore } from './persistence/select-http-key-store.js';
import { problemResponse } from './problem-response.js';
import { requestFingerprint } from './request-fingerprint.js';
import { type CapturedResponse, captureResponse, keptHeaders, type RouteResponse } from './route-response.js';
import { storedScope } from './stored-scope.js';

/** What the add-on needs of a bus: its transactional sessions. */
export type IdempotencyBus = Pick<IServiceBus, 'withTransaction'>;

/** A request as the adapters hand it over: framework-neutral. */
export interface KeyedRequest {
  readonly method: string;
  /** The path with its query, as the client sent it. */
  readonly url: string;
  /** The Idempotency-Key header as Node gives it. */
  readonly idempotencyKey: string | readonly string[] | undefined;
  /** The raw body bytes (empty when there is none). */
  readonly body: Uint8Array;
  /** Whose keys these are (the route's `principal`); keys never cross scopes. */
  readonly scope: string;
}

/** The answer to send: `replayed` when it came from storage (the route did not run). */
export interface KeyedOutcome {
  readonly response: CapturedResponse;
  readonly replayed: boolean;
}

/** The route itself: runs inside `bus.withTransaction`, writes through the session, answers a RouteResponse. */
export type KeyedWork<TTransaction = unknown> = (session: ITransactionalSession<TTransaction>) => Promise<RouteResponse>;

type ClaimDecision =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly record: HttpKeyRecord }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'running'; readonly lockedUntil: number };

/** A 5xx the route returned, not to be stored: thrown to roll its transaction back, then sent as it is. */
class UnstoredServerError extends Error {
  constructor(readonly response: CapturedResponse) {
    super(`the route answered ${response.status}: not stored, rolled back`);
  }
}

/** How many times a claim re-reads a row that changed under it (freed, taken over) before it answers 409. */
const CLAIM_ROUNDS = 3;
const POLL_MIN_MS = 25;
const POLL_MAX_MS = 500;

/**
 * HTTP Idempotency-Key handling over a bus's transactional sessions (see docs/http-idempotency.md). Each
 * keyed request goes through three steps:
 * 1. claim, in a short session of its own: insert the key 'running' for this attempt, or find it — completed
 *    (same request: replay its stored response; another request: 422), running under a live lease (409 +
 *    Retry-After, after polling up to `waitWhileRunning`), running under a lapsed lease (take it over);
 * 2. run the route in `bus.withTransaction` and, at its end, mark the key completed with the response in the
 *    same transaction, only if this attempt still holds it (else roll back: 409);
 * 3. if the route throws (or answers 5xx, unless `storeServerErrors`), free the key in a short session.
 */
export class IdempotentRoutes {
  readonly options: ResolvedIdempotencyOptions;

  constructor(
    readonly bus: IdempotencyBus,
    options: IdempotencyOptions = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.options = resolveIdempotencyOptions(options);
  }

  /** The options of one route: these routes' options overridden by the route's own. */
  forRoute(route: IdempotencyOptions = {}): ResolvedIdempotencyOptions {
    return resolveIdempotencyOptions(this.options, route);
  }

  /**
   * Answers one request: the route's response (run once per key), a replay, or the add-on's own 400, 409 or
   * 422. Rejects with the route's error when it throws (the key is freed first, nothing was committed).
   */
  async handle<TTransaction = unknown>(request: KeyedRequest, work: KeyedWork<TTransaction>, options: ResolvedIdempotencyOptions = this.options): Promise<KeyedOutcome> {
    const parsed = parseIdempotencyKey(request.idempotencyKey);
    if (parsed.kind === 'invalid') return fresh(problemResponse(400, 'Invalid Idempotency-Key', parsed.reason));
    if (parsed.kind === 'absent') {
      if (options.required) {
        return fresh(problemResponse(400, 'Idempotency-Key required', 'this route requires an Idempotency-Key header: send a unique key (a UUID, say) and the same key on every retry of this request'));
      }
      return fresh(await this.runUnkeyed(work, options));
    }
    const scope = storedScope(request.scope);
    const fingerprint = requestFingerprint(request.method, request.url, request.body);
    const attempt = randomUUID();
    const decision = await this.claimWaiting(scope, parsed.key, fingerprint, attempt, options);
    switch (decision.kind) {
      case 'replay': {
        const stored = decision.record.response!;
        return { response: { status: stored.status, headers: { ...stored.headers, [IDEMPOTENT_REPLAYED_HEADER.toLowerCase()]: 'true' }, body: stored.body }, replayed: true };
      }
      case 'mismatch':
        return fresh(problemResponse(422, 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request (method, path, query or body differ): use a new key for a new request'));
      case 'running':
        return fresh(this.inFlight(decision.lockedUntil));
      case 'claimed':
        return fresh(await this.runKeyed(scope, parsed.key, attempt, work, options));
    }
  }

  private async runKeyed<TTransaction>(scope: string, key: string, attempt: string, work: KeyedWork<TTransaction>, options: ResolvedIdempotencyOptions): Promise<CapturedResponse> {
    try {
      return await this.bus.withTransaction(async (session: ITransactionalSession<TTransaction>) => {
        const response = captureResponse(await work(session));
        if (response.status >= 500 && !options.storeServerErrors) throw new UnstoredServerError(response);
        const stored = { status: response.status, headers: keptHeaders(response, options.keptHeaders), body: response.body };
        const mine = await selectHttpKeyStore(session).complete(session, scope, key, attempt, stored, this.clock());
        // Another attempt took the key over after this one's lease ran out: none of this may commit.
        if (!mine) throw new IdempotencyKeyConflictError(scope, key, 'taken-over');
        return response;
      });
    } catch (error) {
      await this.free(scope, key, attempt);
      if (error instanceof UnstoredServerError) return error.response;
      if (error instanceof IdempotencyKeyConflictError) {
        return problemResponse(409, 'Idempotency-Key taken over', "this request outlasted its key's lease and another attempt took the key over: nothing of this attempt was kept; retry to get that attempt's response", { 'retry-after': '1' });
      }
      throw error;
    }
  }

  /** No key on an optional route: the route runs in a session as any other (a 5xx rolls back unless stored ones are wanted). */
  private async runUnkeyed<TTransaction>(work: KeyedWork<TTransaction>, options: ResolvedIdempotencyOptions): Promise<CapturedResponse> {
    try {
      return await this.bus.withTransaction(async (session: ITransactionalSession<TTransaction>) => {
        const response = captureResponse(await work(session));
        if (response.status >= 500 && !options.storeServerErrors) throw new UnstoredServerError(response);
        return response;
      });
    } catch (error) {
      if (error instanceof UnstoredServerError) return error.response;
      throw error;
    }
  }

  /** Claims, and while another request holds the key, polls until `waitWhileRunning` has passed. */
  private async claimWaiting(scope: string, key: string, fingerprint: string, attempt: string, options: ResolvedIdempotencyOptions): Promise<ClaimDecision> {
    const deadline = this.clock() + options.waitWhileRunning;
    let pause = POLL_MIN_MS;
    for (;;) {
      const decision = await this.bus.withTransaction((session) => this.claimOnce(session, scope, key, fingerprint, attempt, options));
      if (decision.kind !== 'running') return decision;
      const left = deadline - this.clock();
      if (left <= 0) return decision;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }

  /** One claim, in a session that sends nothing (so it leaves no session row): see the class comment, step 1. */
  private async claimOnce(session: ITransactionalSession, scope: string, key: string, fingerprint: string, attempt: string, options: ResolvedIdempotencyOptions): Promise<ClaimDecision> {
    const store: IHttpKeyStore = selectHttpKeyStore(session);
    const now = this.clock();
    const claim: KeyClaim = { scope, key, fingerprint, attempt, now, lockedUntil: now + options.leaseMs, expiresAt: now + options.retentionMs };
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      if (await store.insert(session, claim)) return { kind: 'claimed' };
      const row = await store.find(session, scope, key);
      if (!row) continue; // freed or purged since the insert: insert again
      if (row.expiresAt <= now) {
        // An expired key acts as absent, whatever request it was for.
        if (await store.takeOver(session, claim, row.attempt)) return { kind: 'claimed' };
        continue;
      }
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (row.status === 'completed') return { kind: 'replay', record: row };
      if (row.lockedUntil !== null && row.lockedUntil >= now) return { kind: 'running', lockedUntil: row.lockedUntil };
      // Running under a lapsed lease: its holder died (or outlived the lease). Take it over if nobody else did.
      if (await store.takeOver(session, claim, row.attempt)) return { kind: 'claimed' };
    }
    return { kind: 'running', lockedUntil: now + 1_000 };
  }

  /** Frees the key this attempt holds. If this fails too (the store is down), its lease frees it in the end. */
  private async free(scope: string, key: string, attempt: string): Promise<void> {
    try {
      await this.bus.withTransaction((session) => selectHttpKeyStore(session).free(session, scope, key, attempt));
    } catch {
      // The lease runs out: a retry then takes the key over.
    }
  }

  private inFlight(lockedUntil: number): CapturedResponse {
    const seconds = Math.max(1, Math.ceil((lockedUntil - this.clock()) / 1000));
    return problemResponse(409, 'Idempotency-Key in use', `a request with this Idempotency-Key is still being processed: retry in ${seconds} s to get its response`, {
      'retry-after': String(seconds),
    });
  }
}

/** These routes' handling on `bus`; one per bus and option set is enough (it keeps no per-request state). */
export function idempotencyKeys(bus: IdempotencyBus, options: IdempotencyOptions = {}): IdempotentRoutes {
  return new IdempotentRoutes(bus, options);
}

function fresh(response: CapturedResponse): KeyedOutcome {
  return { response, replayed: false };
}
