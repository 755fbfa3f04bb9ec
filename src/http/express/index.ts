// oncebus/http/express: Idempotency-Key support for Express routes (express is an optional peer dependency).
export { idempotentRoute, keepRawBody, type ExpressIdempotentHandler, type ExpressIdempotentRouteOptions } from './idempotent-route.js';
export { idempotencyKeys, IdempotentRoutes } from '../idempotent-routes.js';
export type { IdempotencyOptions } from '../idempotency-options.js';
export type { RouteResponse } from '../route-response.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../idempotency-key-header.js';
