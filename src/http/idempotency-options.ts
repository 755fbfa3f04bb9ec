import { ConfigurationError } from '../errors/errors.js';

/** How a route treats Idempotency-Keys. Every field has a default; a route's options override the bus-wide ones. */
export interface IdempotencyOptions {
  /** A request without the header is refused with 400 (default false: it runs without a key). */
  readonly required?: boolean;
  /**
   * How long an attempt holds its key while the route runs (ms, default 30 s). The route's transaction must
   * finish within it: after it, a retry takes the key over and the late attempt's completion is refused (it
   * rolls back and its client gets 409). It is not renewed.
   */
  readonly leaseMs?: number;
  /** How long a key and its stored response are kept (ms, default 24 h); after that the key acts as absent. */
  readonly retentionMs?: number;
  /** While another request holds the key, poll up to this long for its response before answering 409 (ms, default 0). */
  readonly waitWhileRunning?: number;
  /**
   * Store and commit a 5xx response the route returns (Stripe's choice). Default false: a 5xx is treated as the
   * route failing — its transaction rolls back, nothing is sent, the key is freed and a retry runs again.
   */
  readonly storeServerErrors?: boolean;
  /** Response headers stored and replayed besides content-type and location (names, any case). */
  readonly keptHeaders?: readonly string[];
}

export interface ResolvedIdempotencyOptions {
  readonly required: boolean;
  readonly leaseMs: number;
  readonly retentionMs: number;
  readonly waitWhileRunning: number;
  readonly storeServerErrors: boolean;
  readonly keptHeaders: readonly string[];
}

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_RETENTION_MS = 24 * 3_600_000;

/** Defaults, then `base`, then `route`; checked, so a wrong setting fails when the route is declared. */
export function resolveIdempotencyOptions(base: IdempotencyOptions = {}, route: IdempotencyOptions = {}): ResolvedIdempotencyOptions {
  const merged = { ...definedOnly(base), ...definedOnly(route) };
  const resolved: ResolvedIdempotencyOptions = {
    required: merged.required ?? false,
    leaseMs: merged.leaseMs ?? DEFAULT_LEASE_MS,
    retentionMs: merged.retentionMs ?? DEFAULT_RETENTION_MS,
    waitWhileRunning: merged.waitWhileRunning ?? 0,
    storeServerErrors: merged.storeServerErrors ?? false,
    keptHeaders: [...(merged.keptHeaders ?? [])],
  };
  positive('leaseMs', resolved.leaseMs);
  positive('retentionMs', resolved.retentionMs);
  if (!Number.isInteger(resolved.waitWhileRunning) || resolved.waitWhileRunning < 0) {
    throw new ConfigurationError('waitWhileRunning', `must be a whole number of milliseconds, 0 or more (got ${resolved.waitWhileRunning})`);
  }
  if (resolved.retentionMs < resolved.leaseMs) {
    throw new ConfigurationError('retentionMs', `(${resolved.retentionMs} ms) is shorter than leaseMs (${resolved.leaseMs} ms): a key would expire while its request runs`);
  }
  for (const name of resolved.keptHeaders) {
    if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ConfigurationError('keptHeaders', `'${String(name)}' is not a header name`);
  }
  return resolved;
}

function positive(setting: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new ConfigurationError(setting, `must be a positive whole number of milliseconds (got ${value})`);
}

function definedOnly(options: IdempotencyOptions): IdempotencyOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as IdempotencyOptions;
}
