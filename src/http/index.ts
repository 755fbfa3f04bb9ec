// oncebus/http: HTTP Idempotency-Key support, framework-neutral (the Fastify and Express adapters are
// oncebus/http/fastify and oncebus/http/express). See docs/http-idempotency.md.
export { idempotencyKeys, IdempotentRoutes, type IdempotencyBus, type KeyedOutcome, type KeyedRequest, type KeyedWork } from './idempotent-routes.js';
export { DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS, type IdempotencyOptions, type ResolvedIdempotencyOptions } from './idempotency-options.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_KEY_LENGTH, parseIdempotencyKey, type ParsedIdempotencyKey } from './idempotency-key-header.js';
export { requestFingerprint } from './request-fingerprint.js';
export { ALWAYS_KEPT_HEADERS, type CapturedResponse, type RouteResponse } from './route-response.js';
export type { HttpKeyRecord, StoredResponse } from './persistence/http-key-store.js';
export { memoryHttpKeys } from './persistence/memory-http-key-store.js';
export { BodyTooLargeError } from './raw-body.js';
export { IdempotencyKeyConflictError } from '../errors/errors.js';
