import type { NextFunction, Request, Response } from 'express';
import type { ITransactionalSession } from '../../sessions/transactional-session.js';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency-key-header.js';
import type { IdempotencyOptions } from '../idempotency-options.js';
import { type IdempotencyBus, IdempotentRoutes } from '../idempotent-routes.js';
import { readRawBody } from '../raw-body.js';
import type { RouteResponse } from '../route-response.js';

/** A route's options: the Idempotency-Key settings, whose keys a request's are, and the body's size limit. */
export interface ExpressIdempotentRouteOptions extends IdempotencyOptions {
  /**
   * The scope of the request's keys — the tenant or user, from your authentication — so one client can never
   * replay another's response. Default: one scope shared by every client (only for a single-tenant API).
   */
  readonly principal?: (request: Request) => string;
  /** Largest body read when the route reads it itself (bytes, default 1 MiB); a larger one is answered 413. */
  readonly bodyLimit?: number;
}

/** The route's work: runs inside `bus.withTransaction`; `request.body` is the parsed JSON body (or the raw bytes). */
export type ExpressIdempotentHandler<TTransaction = unknown> = (request: Request, session: ITransactionalSession<TTransaction>) => Promise<RouteResponse>;

/** A request a body parser already read, with the raw bytes kept by `keepRawBody` (express.json({ verify: keepRawBody })). */
interface WithRawBody {
  rawBody?: unknown;
}

/**
 * Keeps the raw bytes for the fingerprint when a body parser runs before the route:
 * `app.use(express.json({ verify: keepRawBody }))`. Without a parser the route reads the body itself.
 */
export function keepRawBody(request: object, _response: object, raw: Buffer): void {
  (request as WithRawBody).rawBody = raw;
}

/**
 * An Express route with Idempotency-Key support: `app.post('/orders', idempotentRoute(bus, { required: true },
 * async (request, session) => ({ status: 201, body: … })))`. The first request with a key runs the handler
 * in a transactional session and stores its response in that same transaction; a retry gets the stored
 * bytes back with `Idempotent-Replayed: true`. The route's error goes to `next` (your error handler).
 * See docs/http-idempotency.md for every case.
 */
export function idempotentRoute<TTransaction = unknown>(
  target: IdempotencyBus | IdempotentRoutes,
  options: ExpressIdempotentRouteOptions,
  handler: ExpressIdempotentHandler<TTransaction>,
): (request: Request, response: Response, next: NextFunction) => void {
  const routes = target instanceof IdempotentRoutes ? target : new IdempotentRoutes(target);
  const { principal, bodyLimit = 1_048_576, ...keyOptions } = options;
  const resolved = routes.forRoute(keyOptions);
  const serve = async (request: Request, response: Response): Promise<void> => {
    const body = await rawBodyOf(request, bodyLimit);
    const outcome = await routes.handle(
      {
        method: request.method,
        url: request.originalUrl,
        idempotencyKey: request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()],
        body,
        scope: principal ? principal(request) : '',
      },
      (session: ITransactionalSession<TTransaction>) => handler(request, session),
      resolved,
    );
    const { status, headers, body: bytes } = outcome.response;
    response.status(status).set(headers).end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  };
  return (request, response, next) => {
    serve(request, response).catch(next);
  };
}

/**
 * The raw body: the bytes express.raw() left in `body`, those `keepRawBody` kept, or — when no parser read
 * the stream — read here (bounded) and, if it is JSON, parsed into `request.body` for the handler.
 */
async function rawBodyOf(request: Request, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(request.body)) return request.body;
  const kept = (request as WithRawBody).rawBody;
  if (Buffer.isBuffer(kept)) return kept;
  if (request.readableEnded || request.complete) {
    // A parser consumed the body without keeping its bytes: no fingerprint can be made honestly.
    if (request.body !== undefined) {
      throw new TypeError("a body parser read this request's body before the idempotent route: add { verify: keepRawBody } to it (express.json({ verify: keepRawBody }))");
    }
    return Buffer.alloc(0);
  }
  const raw = await readRawBody(request, limit);
  if (raw.length > 0 && /^application\/([\w.+-]*\+)?json\b/i.test(request.headers['content-type'] ?? '')) {
    try {
      request.body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw Object.assign(new SyntaxError('the request body is not valid JSON'), { status: 400, statusCode: 400 });
    }
  }
  return raw;
}
