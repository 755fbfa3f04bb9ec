import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import type { ITransactionalSession } from '../../sessions/transactional-session.js';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency-key-header.js';
import type { IdempotencyOptions } from '../idempotency-options.js';
import { type IdempotencyBus, IdempotentRoutes } from '../idempotent-routes.js';
import { readRawBody } from '../raw-body.js';
import type { RouteResponse } from '../route-response.js';

/** A route's options: the Idempotency-Key settings, and whose keys a request's are. */
export interface FastifyIdempotentRouteOptions<RG extends RouteGenericInterface = RouteGenericInterface> extends IdempotencyOptions {
  /**
   * The scope of the request's keys — the tenant or user, from your authentication — so one client can never
   * replay another's response. Default: one scope shared by every client (only for a single-tenant API).
   */
  readonly principal?: (request: FastifyRequest<RG>) => string;
}

/** The route's work: runs inside `bus.withTransaction`; write through `session.transaction`, send through the session. */
export type FastifyIdempotentHandler<RG extends RouteGenericInterface = RouteGenericInterface, TTransaction = unknown> = (
  request: FastifyRequest<RG>,
  session: ITransactionalSession<TTransaction>,
) => Promise<RouteResponse>;

/** What `idempotentRoute` gives Fastify: route options with the handler (`app.post(path, idempotentRoute(…))`). */
export interface FastifyIdempotentRoute<RG extends RouteGenericInterface = RouteGenericInterface> {
  /** Keeps the raw body bytes (the request's fingerprint), then lets Fastify parse them as usual. */
  preParsing(request: FastifyRequest<RG>, reply: FastifyReply, payload: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream>;
  handler(request: FastifyRequest<RG>, reply: FastifyReply): Promise<FastifyReply>;
}

/** Raw bodies between preParsing and the handler, by request. */
const rawBodies = new WeakMap<object, Buffer>();
const EMPTY = Buffer.alloc(0);

/**
 * A Fastify route with Idempotency-Key support: `app.post('/orders', idempotentRoute(bus, { required: true },
 * async (request, session) => ({ status: 201, body: … })))`. The first request with a key runs the handler
 * in a transactional session and stores its response in that same transaction; a retry gets the stored
 * bytes back with `Idempotent-Replayed: true`. See docs/http-idempotency.md for every case.
 * `target` is a bus, or the IdempotentRoutes of `idempotencyKeys(bus, options)` to share options.
 */
export function idempotentRoute<RG extends RouteGenericInterface = RouteGenericInterface, TTransaction = unknown>(
  target: IdempotencyBus | IdempotentRoutes,
  options: FastifyIdempotentRouteOptions<RG>,
  handler: FastifyIdempotentHandler<RG, TTransaction>,
): FastifyIdempotentRoute<RG> {
  const routes = target instanceof IdempotentRoutes ? target : new IdempotentRoutes(target);
  const { principal, ...keyOptions } = options;
  const resolved = routes.forRoute(keyOptions);
  return {
    async preParsing(request, _reply, payload) {
      const limit = request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 1_048_576;
      const raw = await readRawBody(payload as AsyncIterable<unknown>, limit);
      rawBodies.set(request, raw);
      const replay = Readable.from(raw.length > 0 ? [raw] : []) as Readable & { receivedEncodedLength?: number };
      replay.receivedEncodedLength = raw.length;
      return replay;
    },
    async handler(request, reply) {
      const outcome = await routes.handle(
        {
          method: request.method,
          url: request.url,
          idempotencyKey: request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()],
          body: rawBodies.get(request) ?? EMPTY,
          scope: principal ? principal(request) : '',
        },
        (session: ITransactionalSession<TTransaction>) => handler(request, session),
        resolved,
      );
      const { status, headers, body } = outcome.response;
      return reply.code(status).headers(headers).send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    },
  };
}
