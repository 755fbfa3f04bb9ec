// oncebus/http/fastify: Idempotency-Key support for Fastify routes (fastify is an optional peer dependency).
export { idempotentRoute, type FastifyIdempotentHandler, type FastifyIdempotentRoute, type FastifyIdempotentRouteOptions } from './idempotent-route.js';
export { idempotencyKeys, IdempotentRoutes } from '../idempotent-routes.js';
export type { IdempotencyOptions } from '../idempotency-options.js';
export type { RouteResponse } from '../route-response.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../idempotency-key-header.js';
